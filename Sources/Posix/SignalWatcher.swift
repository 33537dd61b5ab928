#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Turns SIGTERM, SIGINT and SIGHUP into callbacks and an `AsyncStream`.
///
/// Why: Kubernetes stops a pod with SIGTERM and the heads must be put into
/// their shutdown state (a green through its full amber), which needs
/// orderly code, not a signal handler. The default action is replaced by `SIG_IGN` and the signal is
/// picked up by a `DispatchSource`, so nothing runs in signal context.
/// `trigger(_:)` feeds the very same path, which is how tests and the
/// HTTP/CLI side request shutdown without a real signal.
///
/// Create it first thing in `main`, before anything starts a thread (the HTTP
/// server, the timing thread, the first `Task`). On Linux a dispatch signal
/// source reads a `signalfd`, which only sees a signal that every thread
/// blocks; an ignored signal that some thread does not block is discarded by
/// the kernel. The initialiser blocks the signals on the calling thread, and
/// threads started afterwards inherit that mask.
public final class SignalWatcher: Sendable {
    /// The signals junction reacts to.
    public enum Signal: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// `SIGTERM`: Kubernetes asks the pod to stop.
        case terminate
        /// `SIGINT`: Ctrl-C on a terminal.
        case interrupt
        /// `SIGHUP`: reload / terminal gone.
        case hangup

        /// The C signal number.
        public var number: Int32 {
            switch self {
            case .terminate: SIGTERM
            case .interrupt: SIGINT
            case .hangup: SIGHUP
            }
        }

        public var description: String {
            switch self {
            case .terminate: "SIGTERM"
            case .interrupt: "SIGINT"
            case .hangup: "SIGHUP"
            }
        }
    }

    /// Every signal received (or triggered), in order, until `cancel()`.
    /// Buffers the latest 16, so a consumer that starts late still sees them.
    public let events: AsyncStream<Signal>

    private let continuation: AsyncStream<Signal>.Continuation
    private let handler: (@Sendable (Signal) -> Void)?
    private let sources: Mutex<[any DispatchSourceSignal]>
    private let watched: [Signal]

    /// Starts watching `signals`; `handler` (if any) runs on `queue` for each.
    public init(
        _ signals: [Signal] = Signal.allCases, queue: DispatchQueue = DispatchQueue(label: "junction.signals"),
        handler: (@Sendable (Signal) -> Void)? = nil
    ) {
        (events, continuation) = AsyncStream.makeStream(of: Signal.self, bufferingPolicy: .bufferingNewest(16))
        self.handler = handler
        self.watched = signals
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for signal in signals { sigaddset(&blocked, signal.number) }
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        var created: [any DispatchSourceSignal] = []
        for signal in signals {
            // Ignore first, so a signal arriving before the source is armed
            // does not kill the process with the default action.
            _ = Glibc.signal(signal.number, SIG_IGN)
            created.append(DispatchSource.makeSignalSource(signal: signal.number, queue: queue))
        }
        self.sources = Mutex(created)
        sources.withLock { sources in
            for (source, signal) in zip(sources, signals) {
                source.setEventHandler { [weak self] in self?.deliver(signal) }
                source.resume()
            }
        }
    }

    deinit { cancel() }

    /// Delivers `signal` exactly as if the process had received it.
    public func trigger(_ signal: Signal) { deliver(signal) }

    /// Stops watching, restores the default actions and finishes `events`.
    /// The signals stay blocked, so one arriving during the rest of the
    /// shutdown stays pending instead of killing the process half-way.
    public func cancel() {
        let wasWatching = sources.withLock { sources in
            for source in sources { source.cancel() }
            defer { sources = [] }
            return !sources.isEmpty
        }
        guard wasWatching else { return }
        for signal in watched { _ = Glibc.signal(signal.number, SIG_DFL) }
        continuation.finish()
    }

    private func deliver(_ signal: Signal) {
        handler?(signal)
        continuation.yield(signal)
    }
}
