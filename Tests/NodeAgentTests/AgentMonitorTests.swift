import JunctionCore
import Protocol
import Testing
@testable import NodeAgent

private let s = Int64.nanosPerSecond
private func at(_ seconds: Double) -> LocalInstant { LocalInstant(nanos: Int64((seconds * 1e9).rounded())) }
private func makeAgent(at now: LocalInstant, retained: Aspect? = nil) -> AgentCore<Int> {
    AgentCore(configuration: AgentConfiguration(ordinal: 0, board: nil, instance: 0xA6E7, key: nil), now: now, retained: retained)
}

/// The agent routes every output aspect through its `SignalMonitor`.
@Suite("AgentCore + SignalMonitor: what reaches the lamps is policed")
struct AgentMonitorTests {
    /// A controller fault is simulated by replacing the sequencer with one
    /// that jumps from green straight to red: the output is amber for the
    /// full amber, then flashing red, and the core wakes for the monitor's
    /// own change.
    @Test func aGreenToRedJumpBehindTheCoreIsCaught() throws {
        var core = makeAgent(at: at(0))
        core.monitor = SignalMonitor(showing: .green, at: at(0))
        core.sequencer = HeadSequencer(initial: .green, at: at(0))
        #expect(core.handle(.timer, now: at(10)).aspect == .green)
        core.sequencer = HeadSequencer(initial: .red, at: at(10))
        let tripped = core.handle(.timer, now: at(10))
        #expect(tripped.aspect == .amber)
        #expect(tripped.notes.contains { if case .monitorTripped(let trip) = $0 { trip.violation == .greenNotToAmber } else { false } })
        #expect(tripped.wakeAt <= at(13), "the core must wake at the end of the monitor's amber")
        #expect(core.report(now: at(11)).head == nil || core.report(now: at(11)).head?.aspect == .amber)
        #expect(core.handle(.timer, now: at(12.9)).aspect == .amber)
        #expect(core.handle(.timer, now: at(13)).aspect == .flashingRed)
        // Latched: the unsynced agent's sequencer holds red; the head keeps flashing red.
        #expect(core.handle(.timer, now: at(30)).aspect == .flashingRed)
        #expect(core.monitor.isTripped && core.monitor.tripCount == 1)
    }

    /// A red+amber that reached the lamp 11 ms late (a stalled timing
    /// thread), then the sequencer's green on time: the core holds the
    /// red+amber until the monitor would accept the green, wakes for it,
    /// and shows it then, with no trip; the hold is noted and counted once.
    @Test func aGreenAfterALateRedAmberIsHeldNotTripped() throws {
        var core = makeAgent(at: at(0))
        core.monitor = SignalMonitor(showing: .redAmber, at: at(0.011))
        core.sequencer = HeadSequencer(initial: .redAmber, at: at(0.011))
        #expect(core.handle(.timer, now: at(1)).aspect == .redAmber)
        core.sequencer = HeadSequencer(initial: .green, at: at(2))
        let held = core.handle(.timer, now: at(2))
        #expect(held.aspect == .redAmber)
        #expect(held.notes.contains { if case .lateChangeHeld(.redAmber, .green, _) = $0 { true } else { false } })
        #expect(held.wakeAt > at(2) && held.wakeAt <= at(2.011))
        #expect(core.handle(.timer, now: at(2.001)).aspect == .redAmber)
        #expect(core.handle(.timer, now: held.wakeAt).aspect == .green)
        #expect(!core.monitor.isTripped && core.monitor.tripCount == 0)
        #expect(core.counters.lateChangesHeld == 1)
    }

    /// Start-up after a crash: a predecessor's green still lit is cleared
    /// through a full amber before the start-up red; the monitor agrees.
    @Test func aRetainedGreenIsClearedBeforeTheStartupAspect() {
        var core = makeAgent(at: at(0), retained: .green)
        let first = core.handle(.timer, now: at(0))
        #expect(first.aspect == .amber)
        #expect(first.wakeAt <= at(3))
        #expect(core.handle(.timer, now: at(2.99)).aspect == .amber)
        #expect(core.handle(.timer, now: at(3)).aspect == .red)
        #expect(!core.monitor.isTripped)
        var red = makeAgent(at: at(0), retained: .red)
        #expect(red.handle(.timer, now: at(0)).aspect == .red)
    }

    /// The shell lights the clearance after a cold first run and write: the
    /// amber counts from then, in the sequencer and the monitor alike.
    @Test func aRetainedClearanceCountsFromTheInstantItWasLit() {
        var core = makeAgent(at: at(0), retained: .green)
        #expect(core.handle(.timer, now: at(0)).aspect == .amber)
        core.retainedClearanceLit(at: at(0.25))
        #expect(core.handle(.timer, now: at(3)).aspect == .amber, "3 s after the decision, 2.75 s after the lamp")
        let held = core.handle(.timer, now: at(3.2))
        #expect(held.aspect == .amber && held.wakeAt <= at(3.25))
        #expect(core.handle(.timer, now: at(3.25)).aspect == .red)
        #expect(!core.monitor.isTripped)
        // Lit "before" the decision (a clock read out of order): nothing moves.
        var early = makeAgent(at: at(0), retained: .green)
        _ = early.handle(.timer, now: at(0))
        early.retainedClearanceLit(at: at(-1))
        #expect(early.handle(.timer, now: at(3)).aspect == .red)
        // A head with nothing to clear ignores it.
        var red = makeAgent(at: at(0), retained: .red)
        _ = red.handle(.timer, now: at(0))
        red.retainedClearanceLit(at: at(1))
        #expect(red.sequencer.program == .steady(.red) && red.monitor.shownSince == at(0))
    }

    @Test func shutdownClearsAGreenThroughItsAmber() {
        var core = makeAgent(at: at(0))
        core.monitor = SignalMonitor(showing: .green, at: at(0))
        let stop = core.beginShutdown(now: at(1), finally: .red)
        #expect(stop.aspect == .amber && stop.finalAt == at(4))
        #expect(!core.monitor.isTripped)
    }
}
