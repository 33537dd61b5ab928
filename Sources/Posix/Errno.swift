#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: its C `errno` and the call that produced it.
public struct Errno: Error, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    /// The system call or operation that failed, for the message.
    public var operation: String

    public init(rawValue: Int32, operation: String = "") {
        self.rawValue = rawValue
        self.operation = operation
    }

    /// The current thread's `errno`, tagged with the failing call.
    public static func current(_ operation: String) -> Errno {
        Errno(rawValue: errno, operation: operation)
    }

    /// The corresponding C error is `EINTR`.
    public static let interrupted: Int32 = EINTR
    /// The corresponding C error is `EAGAIN` / `EWOULDBLOCK`.
    public static let wouldBlock: Int32 = EAGAIN
    /// The corresponding C error is `EBUSY`.
    public static let busy: Int32 = EBUSY
    /// The corresponding C error is `ENOENT`.
    public static let noEntry: Int32 = ENOENT
    /// The corresponding C error is `EACCES`.
    public static let accessDenied: Int32 = EACCES

    public var description: String {
        let text = String(cString: strerror(rawValue))
        return operation.isEmpty ? text : "\(operation): \(text)"
    }

    /// Runs `body` until it does not fail with `EINTR`; a result of -1 becomes
    /// a thrown `Errno`. The operation's name is formatted only on failure: a
    /// tick round makes 10,000 `sendto` calls, and none needs its address as
    /// text unless it fails.
    @discardableResult
    public static func retryingOnInterrupt<T: FixedWidthInteger>(
        _ operation: @autoclosure () -> String, _ body: () -> T
    ) throws(Errno) -> T {
        while true {
            let result = body()
            if result == -1 {
                let code = errno
                if code == EINTR { continue }
                throw Errno(rawValue: code, operation: operation())
            }
            return result
        }
    }
}
