import JunctionCore
import NodeAgent
import Posix
import Protocol

extension AgentRuntime {
    /// The agent's events kept in memory (`/events`).
    static var eventCapacity: Int { 4096 }

    /// What one run of the core did that goes into the event log, copied
    /// under the lock (values only) and formatted after it is released.
    struct EventInput {
        /// The timebase at the run's instant (nil before there is one).
        var timeNanos: Int64?
        var ordinal: Int
        var head: HeadAssignment?
        /// The aspect the light changed to, if it changed.
        var aspect: Aspect?
        var notes: [AgentNote]
    }

    /// Records what one run of the core did: the aspect it now shows, if that
    /// changed, and its notes, stamped with the instant the light changed at.
    func recordEvents(_ input: EventInput) {
        let time = input.timeNanos
        let ordinal = input.ordinal
        var batch: [JunctionEvent] = []
        if let aspect = input.aspect {
            let head = input.head
            batch.append(.aspect(aspect, timeNanos: time, head: head?.description ?? "-", group: head?.group, ordinal: ordinal))
        }
        for note in input.notes {
            switch note {
            case let .stateChanged(from, to, reason):
                batch.append(JunctionEvent(timeNanos: time, head: input.head?.description ?? "-", code: .stateChange,
                                           parameter: Int64(to.rawValue), ordinal: ordinal, note: "\(from) -> \(to): \(reason)"))
            case let .sourceChanged(id, term):
                batch.append(JunctionEvent(timeNanos: time, code: .sourceChange, parameter: Int64(clamping: term), ordinal: ordinal,
                                           note: "following coordinator \(String(id, radix: 16)) term \(term)"))
            case let .planAccepted(id, name, activation):
                batch.append(JunctionEvent(timeNanos: activation.nanos, code: .planChange, parameter: Int64(id & 0xFFFF_FFFF), ordinal: ordinal,
                                           note: "plan \(String(id, radix: 16)) \"\(name)\""))
            case let .planRefused(id, reason):
                batch.append(JunctionEvent(timeNanos: time, code: .planRefused, ordinal: ordinal, note: "plan \(String(id, radix: 16)): \(reason)"))
            case let .planMismatch(reason):
                batch.append(JunctionEvent(timeNanos: time, code: .planMismatch, ordinal: ordinal, note: reason))
            case let .monitorTripped(trip):
                batch.append(JunctionEvent(timeNanos: time, head: input.head?.description ?? "-", code: .monitorTripped,
                                           ordinal: ordinal, note: "\(trip)"))
            case let .lateChangeHeld(from, to, nanos):
                batch.append(JunctionEvent(timeNanos: time, head: input.head?.description ?? "-", code: .lateChangeHeld,
                                           parameter: nanos / 1_000, ordinal: ordinal, note: "\(from) -> \(to) held: \(from) began late"))
            case let .clockStepped(by):
                batch.append(JunctionEvent(timeNanos: time, code: .clockStepped, parameter: by, ordinal: ordinal, note: "clock stepped by \(by) ns"))
            }
        }
        events.record(batch)
    }

    /// Every route: `/events` here, the probes and status in `route(_:)`.
    func serve(_ request: HTTPServer.Request) -> HTTPServer.Response? {
        request.path == "/events" ? EventsEndpoint.respond(request, recorder: events) : route(request.path)
    }
}
