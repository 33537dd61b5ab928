#if canImport(Glibc)
import Glibc
#endif

/// Single key presses from a terminal, for the live simulator's `k`, `r`,
/// `+`, `-` and `q`.
///
/// Why a type: the terminal must be put into non-canonical mode (keys
/// arrive without Enter, not echoed) and must be put back however the
/// program ends, or the user's shell is left unusable. `restore()` is
/// idempotent and also runs on deinit.
public final class TerminalInput: Sendable {
    private let fd: Int32
    private let saved: termios

    /// Switches `fd` (standard input) to key-at-a-time input; nil when it is
    /// not a terminal.
    public init?(fd: Int32 = 0) {
        guard isatty(fd) == 1 else { return nil }
        var mode = termios()
        guard tcgetattr(fd, &mode) == 0 else { return nil }
        saved = mode
        self.fd = fd
        // Keys without Enter and without echo; Ctrl-C still sends SIGINT.
        mode.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &mode.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        tcsetattr(fd, TCSANOW, &mode)
    }

    deinit { restore() }

    /// Puts the terminal back as it was.
    public func restore() {
        var mode = saved
        tcsetattr(fd, TCSANOW, &mode)
    }

    /// The next key pressed within `timeoutNanos`, or nil.
    public func readKey(timeoutNanos: Int64) -> UInt8? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(clamping: max(0, timeoutNanos) / 1_000_000)) > 0 else { return nil }
        var byte: UInt8 = 0
        return read(fd, &byte, 1) == 1 ? byte : nil
    }
}
