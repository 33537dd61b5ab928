import Posix
import Synchronization

/// An `EventLog` behind a lock, optionally copied to a file.
///
/// Why a writer thread: events are recorded by the timing and network
/// threads while they hold the runtime's lock; a write(2) to a slow SD card
/// there would delay a light. Recording only appends to the ring; a thread of
/// its own appends the new lines to the file every `flushIntervalNanos`
/// (and once more on `stop`). If the ring overtakes the writer, the file
/// gets an `events-lost` line, as a reader would.
public final class EventRecorder: Sendable {
    private struct State {
        var log: EventLog
        /// The last sequence written to the file.
        var written: UInt64 = 0
        var stopping = false
        var writeFailures: UInt64 = 0
    }

    private let state: Mutex<State>
    private let file: AppendFile?
    private let writer = Mutex<OSThread?>(nil)
    let flushIntervalNanos: Int64

    /// Keeps `capacity` events; appends them to `path` when given.
    public init(capacity: Int, path: String? = nil, flushIntervalNanos: Int64 = 200_000_000) throws(Errno) {
        state = Mutex(State(log: EventLog(capacity: capacity)))
        file = try path.map { p throws(Errno) in try AppendFile(path: p) }
        self.flushIntervalNanos = flushIntervalNanos
        if file != nil {
            let thread = try OSThread { [self] in runWriter() }
            writer.withLock { $0 = thread }
        }
    }

    /// Appends one event (cheap: no I/O).
    public func record(_ event: JunctionEvent) {
        state.withLock { _ = $0.log.append(event) }
    }

    /// Appends the events in order and returns them numbered.
    @discardableResult
    public func record(_ events: [JunctionEvent]) -> [JunctionEvent] {
        guard !events.isEmpty else { return [] }
        return state.withLock { s in events.map { s.log.append($0) } }
    }

    /// See `EventLog.events(since:limit:)`.
    public func events(since cursor: UInt64, limit: Int) -> [JunctionEvent] {
        state.withLock { $0.log.events(since: cursor, limit: limit) }
    }

    public func recent(_ n: Int) -> [JunctionEvent] { state.withLock { $0.log.recent(n) } }

    /// Failed file writes so far (the ring keeps the events regardless).
    public var writeFailures: UInt64 { state.withLock { $0.writeFailures } }

    /// Writes what is left to the file and stops the writer. Idempotent.
    public func stop() {
        state.withLock { $0.stopping = true }
        guard let thread = writer.withLock({ t in defer { t = nil }; return t }) else { return }
        thread.join()
    }

    private func runWriter() {
        let clock = MonotonicClock()
        while true {
            let stopping = state.withLock { $0.stopping }
            flush()
            if stopping { return }
            // In steps of at most 50 ms, so `stop` never waits long.
            let next = clock.nowNanos() + flushIntervalNanos
            while clock.nowNanos() < next && !state.withLock({ $0.stopping }) {
                clock.sleep(untilNanos: min(next, clock.nowNanos() + 50_000_000))
            }
        }
    }

    /// Appends the events recorded since the last flush to the file.
    func flush() {
        guard let file else { return }
        while true {
            let batch = state.withLock { s in s.log.events(since: s.written, limit: 1024) }
            guard let last = batch.last else { return }
            var text = ""
            for event in batch { text += event.jsonLine + "\n" }
            do { try file.append(Array(text.utf8)) } catch {
                state.withLock { $0.writeFailures += 1 }
            }
            state.withLock { $0.written = last.sequence }
        }
    }
}
