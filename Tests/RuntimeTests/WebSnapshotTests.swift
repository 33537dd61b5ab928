import Coordinator
import JunctionCore
import Posix
import Protocol
import Testing
@testable import Runtime

/// A serving coordinator core on the crossroads plan (timebase = own clock,
/// anchor 0, cycle 52 s) and a way to hand it agents' reports.
struct WebFixture {
    static let key = try! AuthKey(bytes: Array(repeating: 0x42, count: 32))
    static let planBytes = Array(ExamplePlans.crossroads.utf8)
    static let id: UInt64 = 0xC0
    let codec = DatagramCodec(key: key)
    var core: CoordinatorCore<SocketAddress>
    var now = LocalInstant(nanos: 1_000 * .nanosPerSecond)
    var sequence: UInt64 = 0

    init() throws {
        var configuration = CoordinatorConfiguration(id: Self.id, key: Self.key)
        configuration.adoptionWindowNanos = 0
        let plan = try SignalPlan.load(Self.planBytes, source: "crossroads")
        core = CoordinatorCore(configuration: configuration, plan: plan, planBytes: Self.planBytes, now: now)
        _ = core.handle(.timer, now: now)
    }

    static func address(_ ordinal: Int) -> SocketAddress { .loopbackIPv4(port: UInt16(30_000 + ordinal)) }

    func report(_ ordinal: Int, group: String, aspect: Aspect, state: SyncState = .locked, following: UInt64 = id, term: UInt64 = 1) -> Report {
        let t = core.timebase(at: now)
        return Report(ordinal: UInt32(ordinal), instance: 100 + UInt64(ordinal), board: "pi-\(ordinal)", plan: PlanRef(id: PlanID(planBytes: Self.planBytes), anchor: TimebaseInstant(nanos: 0)),
                      state: state, offsetNanos: 5_000 + Int64(ordinal), errorBoundNanos: 80_000, head: HeadReport(junction: "main", group: group, aspect: aspect),
                      sentAt: now, timebaseAtSend: t, sourceCoordinatorID: following, sourceTerm: term)
    }

    mutating func datagram(_ report: Report) -> CoordinatorEvent<SocketAddress> {
        sequence += 1
        return .datagram(try! codec.seal(.report(report), sender: report.instance, sequence: sequence), from: Self.address(Int(report.ordinal)))
    }

    mutating func deliver(_ report: Report) {
        let event = datagram(report)
        _ = core.handle(event, now: now)
    }
}

@Suite("Web snapshot")
struct WebSnapshotTests {
    /// At own-clock 1000 s the crossroads cycle is at 12 s: north-south green.
    @Test func headsAreOkSilentFrozenOrFlashing() throws {
        var f = try WebFixture()
        f.deliver(f.report(0, group: "north-south", aspect: .green))
        f.deliver(f.report(1, group: "east-west", aspect: .red))
        f.deliver(f.report(2, group: "walk", aspect: .flashingRed, state: .flash))
        f.deliver(f.report(3, group: "north-south", aspect: .green, state: .holdover))
        // North-south is red for 35 s at most (19 s to the cycle's end, then 2 s).
        let changed: [Int: Int64] = [0: 36, 1: 38, 2: 100]
        func status(_ ordinal: Int) -> String {
            WebSnapshot.status(f.core.agents[WebFixture.address(ordinal)]!, core: f.core, now: f.now,
                               lastChange: changed[ordinal].map { f.now - $0 * .nanosPerSecond })
        }
        #expect(status(0) == "ok", "36 s without a change is within 35 s + 2 s of slack")
        #expect(status(1) == "frozen", "38 s without a change is longer than the plan ever holds an aspect")
        #expect(status(2) == "flashing")
        #expect(status(3) == "ok", "no change seen yet")
        #expect(WebSnapshot.longestSteadyNanos(f.core.schedule.current!.plan.timelines[0]) == 35 * .nanosPerSecond)
        #expect(WebSnapshot.longestSteadyNanos(f.core.schedule.current!.plan.timelines[2]) == 40 * .nanosPerSecond, "walk: red from 0 to 40 s; its cycle ends amber, so nothing wraps")
        f.now = f.now + 1_100_000_000
        f.deliver(f.report(3, group: "north-south", aspect: .green, state: .holdover))
        #expect(status(0) == "silent", "no report for 1.1 s")
        #expect(status(2) == "silent", "silence is shown before flashing")
        #expect(status(3) == "ok")
    }

    @Test func encodesEveryAgentAndTheCoordinatorAsJSON() throws {
        var f = try WebFixture()
        f.deliver(f.report(1, group: "east-west", aspect: .red))
        f.deliver(f.report(0, group: "north-south", aspect: .green, following: 0xBEEF, term: 4))
        var e = JunctionEvent(timeNanos: 5, code: .coordinatorStarted, note: "</script>")
        e.sequence = 1
        let text = WebSnapshot.encode(core: f.core, now: f.now, events: [e], viewers: 2, maximumViewers: 16)
        let json = try JSONParser.parse(Array(text.utf8))
        guard case .array(let agents)? = json.member("agents"), case .array(let events)? = json.member("events"),
              let coordinator = json.member("coordinator"), case .array(let others)? = coordinator.member("others") else {
            Issue.record("missing members in \(text)")
            return
        }
        #expect(agents.map { $0.integer("ordinal") } == [0, 1], "sorted by ordinal")
        #expect(agents[0].string("aspect") == "green")
        #expect(agents[0].string("state") == "locked")
        #expect(agents[0].string("board") == "pi-0")
        #expect(agents[0].integer("errorBoundNanos") == 80_000)
        #expect(agents[1].string("group") == "east-west")
        #expect(coordinator.string("phase") == "serving")
        #expect(coordinator.integer("followers") == 0, "recounted once a second; none yet")
        #expect(others.count == 1 && others[0].string("id") == "beef" && others[0].integer("term") == 4)
        #expect(events.count == 1 && events[0].string("note") == "</script>")
        #expect(json.member("plan")?.integer("cycleNanos") == 52 * .nanosPerSecond)
        #expect(json.integer("viewers") == 2)
    }

    @Test func thePageInlinesTheSnapshotWithoutClosingItsScript() {
        let html = WebPage.html(snapshot: #"{"note":"</script><b>x"}"#, history: #"{"samples":[]}"#)
        #expect(html.contains(#"{"snapshot":{"note":"<\/script><b>x"},"history":{"samples":[]}}"#))
        #expect(html.ranges(of: "</script>").count == 2, "exactly the page's own two script elements close")
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="), "no outside assets")
    }
}

@Suite("Coordinator's merged event log")
struct ReportChangesTests {
    @Test func aFirstReportRecordsWhereTheAgentStands() throws {
        let f = try WebFixture()
        let events = ReportChanges.events(before: nil, after: f.report(2, group: "walk", aspect: .red), plan: f.core.schedule.current?.plan)
        #expect(events.map(\.code) == [.beginRed, .stateChange, .sourceChange])
        #expect(events[0].parameter == 3, "walk is group 3 (1-based, like Indiana phase numbers)")
        #expect(events[0].head == "main/walk")
        #expect(events.allSatisfy { $0.ordinal == 2 && $0.timeNanos == f.core.timebase(at: f.now).nanos })
    }

    @Test func laterReportsRecordOnlyWhatChanged() throws {
        let f = try WebFixture()
        let plan = f.core.schedule.current?.plan
        let red = f.report(0, group: "north-south", aspect: .red)
        #expect(ReportChanges.events(before: red, after: red, plan: plan).isEmpty)
        let green = f.report(0, group: "north-south", aspect: .green)
        #expect(ReportChanges.events(before: red, after: green, plan: plan).map(\.code) == [.beginGreen])
        let flashing = f.report(0, group: "north-south", aspect: .flashingRed, state: .flash)
        let toFlash = ReportChanges.events(before: green, after: flashing, plan: plan)
        #expect(toFlash.map(\.code) == [.flashStatus, .stateChange])
        #expect(toFlash[1].parameter == Int64(SyncState.flash.rawValue))
        #expect(toFlash[1].note == "locked -> flash")
        let newCoordinator = f.report(0, group: "north-south", aspect: .green, following: 0xD1, term: 2)
        let switched = ReportChanges.events(before: green, after: newCoordinator, plan: plan)
        #expect(switched.map(\.code) == [.sourceChange])
        #expect(switched[0].parameter == 2)
    }

    @Test func theRuntimeHookRecordsReportsAndNotesOnce() throws {
        var f = try WebFixture()
        let web = try CoordinatorWeb(eventLogPath: nil, coordinatorID: WebFixture.id, startedAt: 7)
        let first = f.datagram(f.report(0, group: "north-south", aspect: .green))
        _ = web.run(first, on: &f.core, now: f.now)
        let codes = web.events.recent(100).map(\.code)
        #expect(codes == [.coordinatorStarted, .agentJoined, .beginGreen, .stateChange, .sourceChange])
        let again = f.datagram(f.report(0, group: "north-south", aspect: .green))
        _ = web.run(again, on: &f.core, now: f.now)
        #expect(web.events.recent(100).count == 5, "an unchanged report adds nothing")
        f.now = f.now + 5 * .nanosPerSecond
        let amber = f.datagram(f.report(0, group: "north-south", aspect: .amber))
        _ = web.run(amber, on: &f.core, now: f.now)
        #expect(web.events.recent(1).map(\.code) == [.beginAmber])
        for _ in 0..<50 {
            f.now = f.now + 100_000_000
            let flip = f.datagram(f.report(0, group: "north-south", aspect: web.events.recent(1)[0].code == .beginRed ? .green : .red))
            _ = web.run(flip, on: &f.core, now: f.now)
        }
        _ = web.run(.shutdown, on: &f.core, now: f.now)
        #expect(web.events.recent(1).map(\.code) == [.coordinatorStopped])
        let own = web.ownEvents
        #expect(own.map(\.code) == [.coordinatorStarted, .coordinatorStopped], "the coordinator's own events, past 50 light changes")
        #expect(own.map(\.sequence) == [1, web.events.recent(1)[0].sequence], "with their numbers in the merged log")
    }

    @Test func theSnapshotIsEncodedOncePerIntervalForAllViewers() throws {
        let web = try CoordinatorWeb(eventLogPath: nil, coordinatorID: 1, startedAt: 0, snapshotMaxAgeNanos: 60_000_000_000)
        var builds = 0
        for _ in 0..<5 { _ = web.snapshot { builds += 1; return "{}" } }
        #expect(builds == 1)
        #expect(web.encodes == 1)
        let fresh = try CoordinatorWeb(eventLogPath: nil, coordinatorID: 1, startedAt: 0, snapshotMaxAgeNanos: 0)
        for _ in 0..<3 { _ = fresh.snapshot { builds += 1; return "{}" } }
        #expect(builds == 4, "with no caching every request encodes")
    }
}
