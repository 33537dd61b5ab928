import Coordinator
import JunctionCore
import Posix
import Protocol
import Synchronization

/// What the coordinator keeps for its web view: the junction's merged event
/// log, the offset history, the one cached snapshot and who is watching.
///
/// Why short polling and not Server-Sent Events: `HTTPServer` is one poll()
/// loop that answers one request per connection and closes every connection
/// after a bounded time, which is what makes it safe to expose (no client
/// can hold it). SSE would need long-lived streams exempt from that bound,
/// per-stream write buffers and back-pressure for slow readers inside the
/// Posix server. Polling once a second costs one short connection per viewer
/// and, thanks to the cache, one encoding per `snapshotMaxAgeNanos` however
/// many viewers there are; `ViewerCap` bounds the viewers. A second of
/// latency is fine for people watching lights that change every few seconds.
public final class CoordinatorWeb: Sendable {
    public let events: EventRecorder
    let maximumViewers: Int
    /// A snapshot younger than this is served again instead of re-encoded.
    let snapshotMaxAgeNanos: Int64
    /// One offset-history sample per this much time.
    let historyIntervalNanos: Int64 = 2_000_000_000
    private let clock = MonotonicClock()
    private let state: Mutex<State>

    private struct State {
        var history = OffsetHistory()
        var nextSampleAt: LocalInstant?
        var snapshot: String?
        var snapshotAtNanos: Int64 = 0
        var viewers: ViewerCap
        var encodes: UInt64 = 0
        /// When each agent's head last changed, as its reports show.
        var lastChange: [SocketAddress: LocalInstant] = [:]
        /// The coordinator's own events (start, serving, goodbye, plans,
        /// flash commands), kept apart so that a busy junction's light
        /// changes never push a restart off the page.
        var own = EventLog(capacity: 20)
    }

    /// Records the start of this coordinator process (its own clock is its
    /// timebase until it adopts the agents').
    public init(eventLogPath: String?, coordinatorID: UInt64, startedAt realtimeNanos: Int64,
         maximumViewers: Int = 16, snapshotMaxAgeNanos: Int64 = 500_000_000) throws(Errno) {
        events = try EventRecorder(capacity: 16_384, path: eventLogPath)
        self.maximumViewers = maximumViewers
        self.snapshotMaxAgeNanos = snapshotMaxAgeNanos
        state = Mutex(State(viewers: ViewerCap(maximum: maximumViewers)))
        let started = events.record([JunctionEvent(timeNanos: realtimeNanos, code: .coordinatorStarted,
                                                   note: "coordinator \(String(coordinatorID, radix: 16)) started")])
        state.withLock { s in for event in started { s.own.keep(event) } }
    }

    /// Runs one event through the core and records what it changed: the
    /// sender's report compared with its previous one, and the core's notes.
    /// Called under the runtime's lock in place of `core.handle`.
    public func run(_ event: CoordinatorEvent<SocketAddress>, on core: inout CoordinatorCore<SocketAddress>, now: LocalInstant) -> CoordinatorOutput<SocketAddress> {
        var source: SocketAddress?
        if case let .datagram(_, from) = event { source = from }
        let before = source.flatMap { core.agents[$0] }
        let out = core.handle(event, now: now)
        var batch: [JunctionEvent] = []
        // Notes first: an agent joins before its first report is read.
        let time = core.timebase(at: now).nanos
        for note in out.notes {
            if let e = ReportChanges.event(for: note, time: time, coordinatorID: core.configuration.id) { batch.append(e) }
        }
        if let source, let record = core.agents[source], let report = record.lastReport {
            let previous = before?.instance == record.instance ? before?.lastReport : nil
            if previous != report {
                let changes = ReportChanges.events(before: previous, after: report, plan: core.schedule.current?.plan)
                if changes.contains(where: \.isAspectChange) { state.withLock { $0.lastChange[source] = now } }
                batch += changes
            }
        }
        let stored = events.record(batch)
        if stored.contains(where: { $0.ordinal == nil }) {
            state.withLock { s in for event in stored where event.ordinal == nil { s.own.keep(event) } }
        }
        sampleHistory(core, now: now)
        return out
    }

    /// Every `historyIntervalNanos`, each agent's offset and bound.
    private func sampleHistory(_ core: CoordinatorCore<SocketAddress>, now: LocalInstant) {
        let due = state.withLock { s in
            guard now >= s.nextSampleAt ?? now else { return false }
            s.nextSampleAt = now + historyIntervalNanos
            return true
        }
        guard due else { return }
        // Only agents on the timebase: an unsynced agent's offset means nothing yet.
        let points = core.agents.values.compactMap { record in
            record.lastReport.flatMap { r in r.state != .locked && r.state != .holdover ? nil :
                OffsetHistory.Point(ordinal: Int(r.ordinal), offsetNanos: r.offsetNanos,
                                    errorBoundNanos: r.errorBoundNanos == .max || r.errorBoundNanos < 0 ? nil : r.errorBoundNanos)
            }
        }
        let time = core.timebase(at: now).nanos
        state.withLock { s in
            s.history.add(timeNanos: time, points: points)
            s.lastChange = s.lastChange.filter { core.agents[$0.key] != nil }
        }
    }

    /// When each agent last changed aspect, by address.
    var lastChanges: [SocketAddress: LocalInstant] { state.withLock { $0.lastChange } }

    /// The coordinator's own recent events, oldest first (sequence numbers of the main log).
    var ownEvents: [JunctionEvent] { state.withLock { $0.own.recent(20) } }

    var historyJSON: String { state.withLock { $0.history.json } }

    /// Whether `viewer` may watch now (nil: a one-off reader such as curl,
    /// served from the cache without taking a place).
    func admit(_ viewer: String?) -> Bool {
        guard let viewer else { return true }
        let now = clock.nowNanos()
        return state.withLock { $0.viewers.admit(viewer, nowNanos: now) }
    }

    var viewerCount: Int {
        let now = clock.nowNanos()
        return state.withLock { $0.viewers.count(nowNanos: now) }
    }

    /// The cached snapshot, re-encoded by `build` when older than the limit.
    /// The HTTP server runs routes one at a time, so two builds never race;
    /// the lock only guards the cache.
    func snapshot(build: () -> String) -> String {
        let now = clock.nowNanos()
        if let cached = state.withLock({ s in s.snapshot.flatMap { now - s.snapshotAtNanos < snapshotMaxAgeNanos ? $0 : nil } }) {
            return cached
        }
        let fresh = build()
        state.withLock { s in
            s.snapshot = fresh
            s.snapshotAtNanos = now
            s.encodes += 1
        }
        return fresh
    }

    /// How many times the snapshot was encoded (for tests and metrics).
    var encodes: UInt64 { state.withLock { $0.encodes } }
}
