#if canImport(Glibc)
import Glibc
#endif

/// A file opened for appending (`O_APPEND`), created if missing.
///
/// Why `O_APPEND`: each `append` is one write(2) at the end of the file, so
/// a restarted process, or several processes, can share one log file and a
/// line is never interleaved with another process's (for writes the kernel
/// does not split, which a log line is).
public final class AppendFile: Sendable {
    public let path: String
    private let fd: Int32

    public init(path: String, mode: UInt32 = 0o644) throws(Errno) {
        self.path = path
        fd = try Errno.retryingOnInterrupt("open \(path)") { open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode) }
    }

    deinit { _ = close(fd) }

    /// Writes all of `bytes` at the end of the file.
    public func append(_ bytes: [UInt8]) throws(Errno) {
        try FileIO.writeAll(fd, bytes)
    }
}
