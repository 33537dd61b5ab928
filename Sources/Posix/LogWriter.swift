#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Hands formatted log lines from any thread to one writer thread.
///
/// Why: a `write(2)` to a pod's stdout blocks when the container runtime's
/// pipe is full (a slow log collector, a paused `kubectl logs`), and the
/// agent's timing thread logs state changes: it must never wait for the log
/// collector. A caller only appends its line to a queue under a lock that
/// the writer holds just long enough to swap the queue out; the writer
/// thread does the `write(2)` calls. The queue is bounded
/// (`maximumPendingBytes`): past it, lines are dropped and counted, and the
/// writer reports the count in a line of its own when it catches up.
final class LogWriter: Sendable {
    private struct State {
        var lines: [String] = []
        var pendingBytes = 0
        var dropped: UInt64 = 0
        var accepted: UInt64 = 0
        var written: UInt64 = 0
        var closed = false
    }

    /// Lines queued beyond this many bytes are dropped (and counted).
    static let maximumPendingBytes = 1 << 20

    let fd: Int32
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    /// Formats the "lines dropped" notice in the logger's format.
    private let droppedNotice: @Sendable (UInt64) -> String

    /// Starts the writer thread; if no thread can be made, lines are written
    /// by the caller instead (`threaded` is false).
    init(fd: Int32, droppedNotice: @escaping @Sendable (UInt64) -> String) {
        self.fd = fd
        self.droppedNotice = droppedNotice
        if let thread = try? OSThread(name: "junction-log", { [self] in run() }) {
            thread.detach()
            threadRunning.store(true, ordering: .releasing)
        }
    }

    private let threadRunning = Atomic<Bool>(false)
    var threaded: Bool { threadRunning.load(ordering: .acquiring) }

    /// Queues one line (newline included); returns without writing.
    func push(_ line: String) {
        guard threaded else { Self.writeAll(fd, line); return }
        let queued = state.withLock { s -> Bool in
            guard !s.closed, s.pendingBytes + line.utf8.count <= Self.maximumPendingBytes else {
                s.dropped += 1
                return false
            }
            s.lines.append(line)
            s.pendingBytes += line.utf8.count
            s.accepted += 1
            return true
        }
        if queued { wake.signal() }
    }

    /// Waits (up to `timeoutNanos`) until every line queued before the call
    /// was written: before the process exits, and in tests.
    @discardableResult
    func flush(timeoutNanos: Int64 = 2_000_000_000) -> Bool {
        guard threaded else { return true }
        let target = state.withLock { $0.accepted }
        let clock = MonotonicClock()
        let deadline = clock.nowNanos() + timeoutNanos
        while state.withLock({ $0.written < target }) {
            if clock.nowNanos() >= deadline { return false }
            clock.sleep(untilNanos: clock.nowNanos() + 1_000_000)
        }
        return true
    }

    /// Lets the writer finish the queue and exit.
    func close() {
        state.withLock { $0.closed = true }
        wake.signal()
    }

    private func run() {
        while true {
            wake.wait()
            let (batch, dropped, closed) = state.withLock { s -> ([String], UInt64, Bool) in
                defer { s.lines = []; s.pendingBytes = 0; s.dropped = 0 }
                return (s.lines, s.dropped, s.closed)
            }
            for line in batch { Self.writeAll(fd, line) }
            if dropped > 0 { Self.writeAll(fd, droppedNotice(dropped)) }
            state.withLock { $0.written += UInt64(batch.count) }
            if closed && state.withLock({ $0.lines.isEmpty }) { return }
        }
    }

    /// One line with as few write(2) calls as the descriptor allows; a line
    /// that cannot be written has nowhere to be reported.
    static func writeAll(_ fd: Int32, _ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
