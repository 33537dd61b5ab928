import JunctionCore
import Posix
import Synchronization

/// A head that appends each aspect change to a JSON-lines file.
///
/// Why aspects and not lamps: the recording is the evidence that heads change
/// together; a flashing aspect is one line, not a line per toggle. Each line is
/// one append write(2), so several processes can share a file.
public final class RecordingOutput: LightOutput {
    public let head: String
    public let path: String
    public let shutdown: ShutdownAspect
    public var shutdownAspect: Aspect { shutdown.aspect }

    /// The last aspect the file records for this head (a predecessor's
    /// lamp: the recording stands in for a lamp the kernel keeps lit).
    public let retainedAspect: Aspect?

    private struct State {
        var fd: Int32?
        var last: Aspect?
        var crashSlot: CrashSafeLamps.Slot?
    }
    private let state: Mutex<State>
    private let now: @Sendable () -> Int64

    /// Opens (creating, appending) `path`.
    /// - Parameter now: `CLOCK_MONOTONIC_RAW` in nanoseconds (see
    ///   `RecordedAspect`); injectable for tests.
    public init(
        path: String, head: String, shutdown: ShutdownAspect = .off,
        now: @escaping @Sendable () -> Int64 = { MonotonicClock().rawNanos() }
    ) throws(LightOutputError) {
        let fd: Int32
        do { fd = try GPIOSyscalls.openAppend(path) } catch { throw .recordingFailed(path: path, errno: error) }
        self.head = head
        self.path = path
        self.shutdown = shutdown
        self.now = now
        let previous = (try? FileIO.read(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let last = previous.split(separator: "\n").reversed().lazy.compactMap { RecordedAspect(jsonLine: String($0)) }.first { $0.head == head }
        self.retainedAspect = last?.aspect
        // On a fatal signal the handler writes this line's head, with the time.
        let tail = String(RecordedAspect(monotonicNanos: 0, head: head, aspect: shutdown.aspect).jsonLine.dropFirst("{\"t\":0".count)) + "\n"
        let slot = CrashSafeLamps.arm(record: fd, tail: tail)
        self.state = Mutex(State(fd: fd, last: last?.aspect, crashSlot: slot))
    }

    deinit { close() }

    public func show(_ aspect: Aspect, at time: TimebaseInstant) throws(LightOutputError) {
        try state.withLock { (state: inout State) throws(LightOutputError) in
            guard let fd = state.fd, state.last != aspect else { return }
            try append(aspect, fd: fd, timebaseNanos: time.nanos)
            state.last = aspect
        }
    }

    public func close() {
        state.withLock { state in
            guard let fd = state.fd else { return }
            if state.last != shutdown.aspect { try? append(shutdown.aspect, fd: fd) }
            state.last = shutdown.aspect
            CrashSafeLamps.disarm(state.crashSlot)
            state.crashSlot = nil
            GPIOSyscalls.close(fd)
            state.fd = nil
        }
    }

    private func append(_ aspect: Aspect, fd: Int32, timebaseNanos: Int64? = nil) throws(LightOutputError) {
        let line = RecordedAspect(monotonicNanos: now(), head: head, aspect: aspect, timebaseNanos: timebaseNanos).jsonLine + "\n"
        do { try GPIOSyscalls.writeAll(fd, Array(line.utf8), path) } catch {
            throw .recordingFailed(path: path, errno: error)
        }
    }
}
