#if canImport(Glibc)
import Glibc
#endif

/// Process-wide signal dispositions the agent needs besides SIGTERM/SIGINT.
///
/// Why: a write to a closed pipe (stdout piped into a log shipper that
/// died) raises SIGPIPE, whose default action kills the process without
/// running any code, leaving the lamps as they were. Ignored, the write
/// fails with EPIPE instead and the agent carries on.
public enum FatalSignals {
    /// Ignores SIGPIPE for the whole process.
    public static func ignoreBrokenPipe() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// Whether SIGPIPE is ignored now (for tests).
    public static var brokenPipeIgnored: Bool {
        var current = sigaction()
        sigaction(SIGPIPE, nil, &current)
        let handler = unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
        return handler == unsafeBitCast(SIG_IGN, to: Int.self)
    }
}
