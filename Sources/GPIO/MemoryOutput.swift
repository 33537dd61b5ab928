import JunctionCore
import Synchronization

/// A head that keeps what it was shown, for tests of code that drives heads.
public final class MemoryOutput: LightOutput {
    /// One change of what the head shows.
    public struct Event: Sendable, Hashable {
        public var aspect: Aspect
        public var lamps: Lamps
        public var time: TimebaseInstant
    }

    public let head: String
    public let shutdown: ShutdownAspect
    public var shutdownAspect: Aspect { shutdown.aspect }

    private struct State {
        var events: [Event] = []
        var closed = false
    }
    private let state = Mutex(State())

    public init(head: String = "head", shutdown: ShutdownAspect = .off) {
        self.head = head
        self.shutdown = shutdown
    }

    /// Every change of aspect or lit lamps, in order; `close` adds the
    /// shutdown aspect (at time 0) if it differs from the last.
    public var events: [Event] { state.withLock { $0.events } }
    /// The aspects in the order they were first shown, repeats collapsed.
    public var aspects: [Aspect] {
        events.map(\.aspect).reduce(into: []) { if $0.last != $1 { $0.append($1) } }
    }
    public var currentLamps: Lamps { state.withLock { $0.events.last?.lamps ?? shutdown.aspect.lamps } }
    public var isClosed: Bool { state.withLock { $0.closed } }

    public func show(_ aspect: Aspect, at time: TimebaseInstant) throws(LightOutputError) {
        let lamps = FlashPhase.lamps(aspect, at: time)
        state.withLock { state in
            guard !state.closed else { return }
            if let last = state.events.last, last.aspect == aspect, last.lamps == lamps { return }
            state.events.append(Event(aspect: aspect, lamps: lamps, time: time))
        }
    }

    public func close() {
        state.withLock { state in
            guard !state.closed else { return }
            let aspect = shutdown.aspect
            if state.events.last?.aspect != aspect || state.events.last?.lamps != aspect.lamps {
                state.events.append(Event(aspect: aspect, lamps: aspect.lamps, time: TimebaseInstant(nanos: 0)))
            }
            state.closed = true
        }
    }
}
