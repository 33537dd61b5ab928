#if canImport(Glibc)
import Glibc
#endif

/// A process started with `posix_spawn`: the live simulator's coordinator and
/// agents, and the multi-process tests' cluster.
///
/// Why spawn and not fork: the parent has threads; `posix_spawn` is safe with
/// threads and starts the child with a clean signal mask and default signal
/// actions, whatever the parent's `SignalWatcher` blocked or ignored.
public final class ChildProcess: Sendable {
    public let pid: Int32
    public let arguments: [String]

    /// Starts `path` with `arguments` (not including argv[0]). Standard input
    /// is `/dev/null`; standard output and error go to `outputPath` (appended)
    /// or are inherited when nil. The child gets its own process group, so a
    /// Ctrl-C on the terminal reaches only the parent, which stops it.
    public static func spawn(_ path: String, arguments: [String], outputPath: String? = nil) throws(Errno) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let outputPath {
            posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let argv = ([path] + arguments).map { strdup($0) }
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        let rc = (argv + [nil]).withUnsafeBufferPointer { args in
            posix_spawn(&pid, path, &actions, &attributes, args.baseAddress!, environ)
        }
        guard rc == 0 else { throw Errno(rawValue: rc, operation: "posix_spawn \(path)") }
        return ChildProcess(pid: pid, arguments: arguments)
    }

    private init(pid: Int32, arguments: [String]) {
        self.pid = pid
        self.arguments = arguments
    }

    /// Sends `signal` (e.g. `ChildProcess.terminate`); false if it is gone.
    @discardableResult
    public func send(_ signal: Int32) -> Bool { Glibc.kill(pid, signal) == 0 }

    public static let terminate = SIGTERM
    public static let interrupt = SIGINT
    public static let kill = SIGKILL
    public static let hangup = SIGHUP

    /// How a child ended.
    public enum Exit: Sendable, Hashable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): "exit \(code)"
            case .signalled(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// Waits for the child to end, at most until the monotonic deadline;
    /// nil if it is still running then. Checks every millisecond.
    public func wait(untilMonotonicNanos deadline: Int64) -> Exit? {
        let clock = MonotonicClock()
        while true {
            if let exit = poll() { return exit }
            let now = clock.nowNanos()
            if now >= deadline { return nil }
            clock.sleep(untilNanos: min(deadline, now + 1_000_000))
        }
    }

    /// The exit status if the child has ended (reaping it), else nil.
    public func poll() -> Exit? {
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        guard rc == pid else { return rc < 0 ? .exited(-1) : nil }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    /// SIGTERM, then SIGKILL if it has not ended within `graceNanos`. The
    /// default matches the manifests' grace period: an agent showing green
    /// first shows its plan's full amber (a SIGKILL would freeze the lamp).
    @discardableResult
    public func stop(graceNanos: Int64 = 15_000_000_000) -> Exit {
        send(SIGTERM)
        if let exit = wait(untilMonotonicNanos: MonotonicClock().nowNanos() + graceNanos) { return exit }
        send(SIGKILL)
        return wait(untilMonotonicNanos: .max) ?? .signalled(SIGKILL)
    }

    /// This process's own executable (`/proc/self/exe`), to start copies of it.
    public static func currentExecutablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// This process's id and its parent's, for `--parent-pid`.
    public static var currentID: Int32 { getpid() }
    public static var parentID: Int32 { getppid() }
}
