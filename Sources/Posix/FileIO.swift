#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and writes with errors that name the path.
public enum FileIO {
    /// Files junction reads (plans, keys) are small; a larger one is refused.
    public static let maximumReadBytes = 16 << 20

    /// Reads a whole file.
    public static func read(_ path: String) throws(Errno) -> [UInt8] {
        let fd = try Errno.retryingOnInterrupt("open \(path)") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try Errno.retryingOnInterrupt("read \(path)") {
                buffer.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress, raw.count) }
            }
            if n == 0 { return out }
            out.append(contentsOf: buffer[0..<n])
            if out.count > maximumReadBytes { throw Errno(rawValue: EFBIG, operation: "read \(path)") }
        }
    }

    /// Writes bytes to a file descriptor completely (retrying short writes).
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let n = try Errno.retryingOnInterrupt("write") {
                bytes.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset) }
            }
            offset += n
        }
    }

    /// Writes a string to standard output in one call per chunk.
    public static func printOut(_ text: String) {
        try? writeAll(STDOUT_FILENO, Array(text.utf8))
    }

    /// Writes a string to standard error.
    public static func printError(_ text: String) {
        try? writeAll(STDERR_FILENO, Array(text.utf8))
    }

    /// Whether a file descriptor is a terminal (for colour and live views).
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// An environment variable, or nil.
    public static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

/// Ends the process with a status code.
public func exitProcess(_ code: Int32) -> Never { exit(code) }
