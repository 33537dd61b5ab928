import Coordinator
import JunctionCore
import Posix
import Protocol
import Runtime

/// The web view's cost per update at scale: one snapshot of 1,000 agents
/// encoded (what `CoordinatorWeb` does at most twice a second, however many
/// viewers), and the page that inlines it.
enum WebBench {
    static func run(into table: inout BenchTable) {
        let agents = 1000
        let key = try! AuthKey(bytes: (0..<32).map { UInt8($0) })
        let codec = DatagramCodec(key: key)
        let planBytes = Array(ExamplePlans.crossroads.utf8)
        let plan = try! SignalPlan.load(planBytes, source: "crossroads")
        var configuration = CoordinatorConfiguration(id: 0xC0, key: key)
        configuration.adoptionWindowNanos = 0
        let now = LocalInstant(nanos: 1_000 * .nanosPerSecond)
        var core = CoordinatorCore<SocketAddress>(configuration: configuration, plan: plan, planBytes: planBytes, now: now)
        _ = core.handle(.timer, now: now)
        let groups = plan.groups
        let aspects: [Aspect] = [.red, .green, .amber, .redAmber]
        for i in 0..<agents {
            let report = Report(ordinal: UInt32(i), instance: 1 + UInt64(i), board: "pi-\(i)", plan: PlanRef(id: PlanID(planBytes: planBytes), anchor: TimebaseInstant(nanos: 0)),
                                state: .locked, offsetNanos: 1_796_283_066_776_002_000 + Int64(i) * 1_337, errorBoundNanos: 120_000 + Int64(i),
                                head: HeadReport(junction: "main", group: groups[i % groups.count], aspect: aspects[i % aspects.count]),
                                sentAt: now, timebaseAtSend: core.timebase(at: now), sourceCoordinatorID: 0xC0, sourceTerm: 1)
            let bytes = try! codec.seal(.report(report), sender: report.instance, sequence: 1)
            let address = SocketAddress(host: .ipv4(0x0A00_0000 | UInt32(i)), port: 7070)
            _ = core.handle(.datagram(bytes, from: address), now: now)
        }
        precondition(core.agents.count == agents, "every agent known")
        var events: [JunctionEvent] = []
        for i in 0..<60 { events.append(.aspect(.green, timeNanos: Int64(i), head: "main/north-south", group: 0, ordinal: i)) }
        let lastChange = Dictionary(uniqueKeysWithValues: core.agents.keys.map { ($0, now - 5 * .nanosPerSecond) })

        let clock = MonotonicClock()
        var bytes = 0
        let rounds = 50
        _ = WebSnapshot.encode(core: core, now: now, events: events, viewers: 1, maximumViewers: 16, lastChange: lastChange)
        let start = clock.nowNanos()
        for _ in 0..<rounds {
            bytes = WebSnapshot.encode(core: core, now: now, events: events, viewers: 1, maximumViewers: 16, lastChange: lastChange).utf8.count
        }
        let encodeNanos = Double(clock.nowNanos() - start) / Double(rounds)
        let snapshot = WebSnapshot.encode(core: core, now: now, events: events, viewers: 1, maximumViewers: 16, lastChange: lastChange)
        let pageStart = clock.nowNanos()
        let page = WebPage.html(snapshot: snapshot, history: "{\"samples\":[]}")
        let pageNanos = Double(clock.nowNanos() - pageStart)
        // The per-report cost of keeping the merged log: the same reports
        // (each head changing aspect every time) through the core alone and
        // through the web view's hook.
        let reportRounds = 20
        var sealed: [(CoordinatorEvent<SocketAddress>, Int)] = []
        for round in 0..<reportRounds {
            for i in 0..<agents {
                let report = Report(ordinal: UInt32(i), instance: 1 + UInt64(i), board: "pi-\(i)",
                                    plan: PlanRef(id: PlanID(planBytes: planBytes), anchor: TimebaseInstant(nanos: 0)),
                                    state: .locked, offsetNanos: 1_796_283_066_776_002_000, errorBoundNanos: 120_000,
                                    head: HeadReport(junction: "main", group: groups[i % groups.count], aspect: aspects[(i + round) % aspects.count]),
                                    sentAt: now, timebaseAtSend: core.timebase(at: now), sourceCoordinatorID: 0xC0, sourceTerm: 1)
                let bytes = try! codec.seal(.report(report), sender: report.instance, sequence: UInt64(2 + round))
                sealed.append((.datagram(bytes, from: SocketAddress(host: .ipv4(0x0A00_0000 | UInt32(i)), port: 7070)), round))
            }
        }
        var plain = core
        let plainStart = clock.nowNanos()
        for (event, _) in sealed { _ = plain.handle(event, now: now) }
        let plainNanos = Double(clock.nowNanos() - plainStart) / Double(sealed.count)
        var hooked = core
        let web = try! CoordinatorWeb(eventLogPath: nil, coordinatorID: 0xC0, startedAt: 0)
        let hookedStart = clock.nowNanos()
        for (event, _) in sealed { _ = web.run(event, on: &hooked, now: now) }
        let hookedNanos = Double(clock.nowNanos() - hookedStart) / Double(sealed.count)
        web.events.stop()
        table.add("web", "report through the core alone", plainNanos / 1e3, "us")
        table.add("web", "report through the core + event log hook (aspect changed)", hookedNanos / 1e3, "us")

        table.add("web", "snapshot of \(agents) agents: encode", encodeNanos / 1e6, "ms/update", goal: "< 50 ms", met: encodeNanos < 50e6)
        table.add("web", "snapshot of \(agents) agents: size", Double(bytes) / 1024, "KiB")
        table.add("web", "page with that snapshot inlined: build", pageNanos / 1e6, "ms")
        table.add("web", "page with that snapshot inlined: size", Double(page.utf8.count) / 1024, "KiB")
    }
}
