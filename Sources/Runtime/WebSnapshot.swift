import Coordinator
import Posix
import JunctionCore
import Protocol

/// The JSON document the web view draws: the coordinator, the plan, every
/// agent as its last report describes it, and the recent events.
///
/// Why one document: it is encoded once per update and the same bytes go to
/// every viewer (`CoordinatorWeb` caches them), so the cost per update does
/// not grow with viewers. Pure: the core is a copied value and `now` a
/// parameter; `JunctionBench web` measures it at 1,000 agents.
public enum WebSnapshot {
    /// A head not heard from for this long is drawn as silent (ten missed reports).
    public static let silentAfterNanos: Int64 = 1_000_000_000
    /// Slack beyond the plan's longest steady aspect before a head that has
    /// not changed is called frozen.
    public static let frozenSlackNanos: Int64 = 2_000_000_000

    /// Not generic over the address type: a generic call from another
    /// module would run unspecialized, several times slower.
    public static func encode(
        core: CoordinatorCore<SocketAddress>, now: LocalInstant, events: [JunctionEvent], viewers: Int, maximumViewers: Int,
        lastChange: [SocketAddress: LocalInstant] = [:], coordinatorEvents: [JunctionEvent] = []
    ) -> String {
        var w = JSONWriter(reservingCapacity: 4096 + 320 * core.agents.count + 200 * events.count)
        let timebase = core.timebase(at: now)
        w.beginObject()
        w.integer("version", 1)
        w.integer("now", timebase.nanos)
        coordinator(core, into: &w)
        plan(core, into: &w)
        w.beginArray("agents")
        // Formatting an address is costly: once per agent, not per comparison.
        let rows = core.agents.map { (address: $0.key, text: $0.key.description, record: $0.value) }.sorted { a, b in
            a.record.ordinal != b.record.ordinal ? a.record.ordinal < b.record.ordinal : a.text < b.text
        }
        var longest: [String: Int64] = [:]
        if let plan = core.schedule.current?.plan {
            for (index, name) in plan.groups.enumerated() { longest[name] = longestSteadyNanos(plan.timelines[index]) }
        }
        var hex = HexCache()
        for row in rows {
            agent(row.text, row.record, core: core, now: now, lastChange: lastChange[row.address], longest: longest, hex: &hex, into: &w)
        }
        w.endArray()
        w.beginArray("events")
        for event in events { w.raw(nil, event.jsonLine) }
        w.endArray()
        w.beginArray("coordinatorEvents")
        for event in coordinatorEvents { w.raw(nil, event.jsonLine) }
        w.endArray()
        w.integer("viewers", Int64(viewers))
        w.integer("maximumViewers", Int64(maximumViewers))
        w.endObject()
        return w.text
    }

    public static func phaseName<Address>(_ phase: CoordinatorCore<Address>.Phase) -> String {
        switch phase {
        case .adopting: "adopting"
        case .serving: "serving"
        case .stopped: "stopped"
        }
    }

    private static func coordinator(_ core: CoordinatorCore<SocketAddress>, into w: inout JSONWriter) {
        w.beginObject("coordinator")
        w.string("id", String(core.configuration.id, radix: 16))
        w.string("phase", phaseName(core.phase))
        w.integer("term", Int64(clamping: core.term))
        w.integer("offsetNanos", core.offsetNanos)
        w.integer("followers", Int64(core.followers))
        w.bool("leading", core.leading)
        w.integer("agentsKnown", Int64(core.agents.count))
        w.beginArray("flashing")
        for junction in core.flashingJunctions.keys.sorted() { w.string(nil, junction) }
        w.endArray()
        // Other coordinators are known by the agents that follow them.
        var others: [String: (term: UInt64, agents: Int)] = [:]
        for record in core.agents.values {
            guard let report = record.lastReport, report.sourceCoordinatorID != 0,
                  report.sourceCoordinatorID != core.configuration.id else { continue }
            let key = String(report.sourceCoordinatorID, radix: 16)
            let seen = others[key] ?? (report.sourceTerm, 0)
            others[key] = (max(seen.term, report.sourceTerm), seen.agents + 1)
        }
        w.beginArray("others")
        for (id, seen) in others.sorted(by: { $0.key < $1.key }) {
            w.beginObject()
            w.string("id", id)
            w.integer("term", Int64(clamping: seen.term))
            w.integer("agents", Int64(seen.agents))
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    private static func plan(_ core: CoordinatorCore<SocketAddress>, into w: inout JSONWriter) {
        guard let current = core.schedule.current else { w.raw("plan", "null"); return }
        let plan = current.plan
        w.beginObject("plan")
        w.string("id", String(current.id, radix: 16))
        w.string("name", plan.name)
        w.string("sequence", plan.sequence.rawValue)
        w.integer("cycleNanos", plan.cycleNanos)
        w.integer("anchorNanos", current.anchor.nanos)
        w.beginArray("groups")
        for group in plan.groups { w.string(nil, group) }
        w.endArray()
        w.beginArray("junctions")
        for junction in plan.junctions {
            w.beginObject()
            w.string("name", junction.name)
            w.integer("offsetNanos", junction.offsetNanos)
            w.endObject()
        }
        w.endArray()
        w.beginArray("timelines")
        for timeline in plan.timelines {
            w.beginArray()
            for segment in timeline.segments {
                w.beginArray()
                w.integer(nil, segment.startNanos)
                w.string(nil, segment.aspect.description)
                w.endArray()
            }
            w.endArray()
        }
        w.endArray()
        if let pending = core.schedule.pending {
            w.beginObject("pending")
            w.string("id", String(pending.id, radix: 16))
            w.string("name", pending.plan.name)
            w.integer("activationNanos", pending.anchor.nanos)
            w.endObject()
        } else {
            w.raw("pending", "null")
        }
        w.endObject()
    }

    /// Plan and coordinator ids repeat across agents: format each once.
    struct HexCache {
        private var cache: [UInt64: String] = [:]
        mutating func callAsFunction(_ value: UInt64) -> String {
            if let text = cache[value] { return text }
            let text = String(value, radix: 16)
            if cache.count < 64 { cache[value] = text }
            return text
        }
    }

    private static func agent(
        _ address: String, _ record: AgentRecord, core: CoordinatorCore<SocketAddress>, now: LocalInstant, lastChange: LocalInstant?,
        longest: [String: Int64], hex: inout HexCache, into w: inout JSONWriter
    ) {
        let report = record.lastReport
        w.beginObject()
        w.integer("ordinal", Int64(record.ordinal))
        w.string("board", record.board)
        w.string("address", address)
        w.string("instance", String(record.instance, radix: 16))
        w.string("state", report?.state.description)
        w.string("aspect", report?.head?.aspect.description)
        w.string("junction", report?.head?.junction)
        w.string("group", report?.head?.group)
        w.integer("offsetNanos", report?.offsetNanos)
        w.integer("errorBoundNanos", report.map(\.errorBoundNanos).flatMap { $0 == .max || $0 < 0 ? nil : $0 })
        w.string("plan", report.map { hex($0.plan.id.rawValue) })
        w.string("source", report.map { hex($0.sourceCoordinatorID) })
        w.integer("term", report.map { Int64(clamping: $0.sourceTerm) })
        w.integer("ageMillis", (now - record.lastHeard) / 1_000_000)
        w.string("status", status(record, core: core, now: now, lastChange: lastChange, longest: longest))
        w.endObject()
    }

    /// How the head is drawn: `silent` (not heard for `silentAfterNanos`),
    /// `frozen` (following the plan, locked or in holdover, yet its aspect
    /// has not changed since `lastChange` for longer than the plan ever
    /// holds one for its group), `flashing`, `ok`, or `unknown` (no report
    /// yet, or no head). A locked head may rightly differ from the plan for
    /// a while (it joins the plan only at a safe instant), so frozen is
    /// judged by time without change, not by disagreement.
    public static func status(_ record: AgentRecord, core: CoordinatorCore<SocketAddress>, now: LocalInstant,
                                       lastChange: LocalInstant?, longest: [String: Int64]? = nil) -> String {
        guard let report = record.lastReport else { return now - record.lastHeard > silentAfterNanos ? "silent" : "unknown" }
        if now - record.lastHeard > silentAfterNanos { return "silent" }
        guard let head = report.head else { return "unknown" }
        if head.aspect.isFlashing { return "flashing" }
        guard report.state == .locked || report.state == .holdover, let lastChange,
              let current = core.schedule.current, current.id == report.plan.id.rawValue,
              let steady = longest?[head.group] ?? current.plan.groupIndex(named: head.group).map({ longestSteadyNanos(current.plan.timelines[$0]) })
        else { return "ok" }
        return now - lastChange > steady + frozenSlackNanos ? "frozen" : "ok"
    }

    /// The longest time a group shows one aspect, counting the span that
    /// wraps from the cycle's end into its start; a whole cycle when it never changes.
    static func longestSteadyNanos(_ timeline: GroupTimeline) -> Int64 {
        let segments = timeline.segments
        guard segments.count > 1 else { return timeline.cycleNanos }
        var longest: Int64 = 0
        for (i, segment) in segments.enumerated() {
            let end = i + 1 < segments.count ? segments[i + 1].startNanos : timeline.cycleNanos
            var length = end - segment.startNanos
            if i == segments.count - 1 && segment.aspect == segments[0].aspect { length += segments.count > 1 ? segments[1].startNanos : 0 }
            longest = max(longest, length)
        }
        return longest
    }
}
