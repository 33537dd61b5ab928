import JunctionCore
import Synchronization
import Testing
@testable import GPIO

/// Virtual time: sleeping jumps straight to the deadline and records it.
private final class VirtualClock: AbsoluteSleepClock {
    private let state = Mutex<(now: Int64, deadlines: [Int64])>((5_000, []))
    var deadlines: [Int64] { state.withLock { $0.deadlines } }
    func nowNanos() -> Int64 { state.withLock { $0.now } }
    func sleep(untilNanos deadlineNanos: Int64) {
        state.withLock { s in
            s.deadlines.append(deadlineNanos)
            // A late wake-up, as a busy board would have: must not shift later steps.
            s.now = max(s.now, deadlineNanos) + 7_000_000
        }
    }
}

@Test func wiringTestShowsEveryLampOnceOnAbsoluteDeadlines() throws {
    let clock = VirtualClock()
    let output = MemoryOutput(head: "n", shutdown: .red)
    var announced: [Aspect] = []
    try GPIOWiringTest().run(on: output, clock: clock) { _, aspect in announced.append(aspect) }
    #expect(output.aspects == [.red, .redAmber, .green, .amber, .red, .off])
    #expect(announced == GPIOWiringTest.sequence)
    #expect(clock.deadlines == (0...6).map { 5_000 + Int64($0) * .nanosPerSecond })
    #expect(!output.isClosed, "the caller decides when to close")
}
