import Dispatch
import GPIO
import Posix
import Protocol
import Runtime
import Synchronization

/// Options the agent and the coordinator share: key, logging, ports, and
/// how the process waits for its stop signal.
enum RuntimeOptions {
    static let sharedHelp = """
      --key-file FILE        shared authentication key, >= 16 bytes (JUNCTION_KEY_FILE)
      --insecure             no authentication (trusted test networks only; logs a warning)
      --http-port N          /healthz /readyz /metrics /status; 0 = off (JUNCTION_HTTP_PORT)
      --log-format F         logfmt or json (JUNCTION_LOG_FORMAT)
      --log-level L          debug, info, warn or error (JUNCTION_LOG_LEVEL)
      --parent-pid PID       stop when this process is no longer the parent (used by 'junction simulate')
      --event-log FILE       also append every event to FILE, one JSON line each (docs/EVENTS.md) (JUNCTION_EVENT_LOG)
    """

    static let sharedValues: Set<String> = ["key-file", "http-port", "log-format", "log-level", "parent-pid", "event-log"]
    static let sharedFlags: Set<String> = ["insecure"]

    static func logger(_ args: Arguments, fields: KeyValuePairs<String, Logger.Value>) throws(UsageError) -> Logger {
        let formatText = args.string("log-format", environment: "JUNCTION_LOG_FORMAT", default: "logfmt")
        guard let format = Logger.Format(rawValue: formatText) else {
            throw UsageError(message: "\(args.command): --log-format must be logfmt or json, got \"\(formatText)\"")
        }
        let levelText = args.string("log-level", environment: "JUNCTION_LOG_LEVEL", default: "info")
        guard let level = Logger.Level(name: levelText) else {
            throw UsageError(message: "\(args.command): --log-level must be debug, info, warn or error, got \"\(levelText)\"")
        }
        return Logger(format: format, minimumLevel: level, fields: fields)
    }

    /// The key from `--key-file`, or nil with `--insecure`; neither is a usage error.
    static func key(_ args: Arguments) throws -> AuthKey? {
        let insecure = args.flag("insecure", environment: "JUNCTION_INSECURE")
        guard let path = args.value("key-file", environment: "JUNCTION_KEY_FILE") else {
            if insecure { return nil }
            throw UsageError(message: "\(args.command): give --key-file FILE (or JUNCTION_KEY_FILE), or --insecure on a trusted test network")
        }
        if insecure { throw UsageError(message: "\(args.command): --key-file and --insecure contradict each other; give one") }
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch {
            throw CommandFailure(message: "cannot read --key-file \(path): \(error.description); mount the Secret or create one with `head -c 32 /dev/urandom > \(path)`")
        }
        do { return try AuthKey(bytes: bytes) } catch { throw CommandFailure(message: "--key-file \(path): \(error.description)") }
    }

    static func httpPort(_ args: Arguments, default fallback: Int) throws(UsageError) -> UInt16? {
        let port = try args.integer("http-port", environment: "JUNCTION_HTTP_PORT", default: fallback, range: 0...65535)
        return port == 0 ? nil : UInt16(port)
    }

    static func port(_ args: Arguments, _ name: String, environment: String?, default fallback: Int) throws(UsageError) -> UInt16 {
        UInt16(try args.integer(name, environment: environment, default: fallback, range: 1...65535))
    }

    static func parentPID(_ args: Arguments) throws(UsageError) -> Int32? {
        guard args.value("parent-pid") != nil else { return nil }
        return Int32(try args.integer("parent-pid", default: 0, range: 1...Int(Int32.max)))
    }

    /// A socket error as one line that says what to change.
    static func socketMessage(_ error: Errno, port: UInt16) -> String {
        if error.rawValue == Errno.addressInUse {
            return "UDP port \(port) is already in use; stop the other process or choose another --port"
        }
        return "cannot open UDP port \(port): \(error.description)"
    }

    /// Checks `host:port` entries of a repeatable address option.
    static func addresses(_ args: Arguments, _ name: String, environment: String?) throws(UsageError) -> [String] {
        let entries = args.list(name, environment: environment)
        for entry in entries where SocketAddress.splitHostPort(entry) == nil {
            throw UsageError(message: "\(args.command): --\(name) must be host:port (e.g. 127.0.0.1:7070), got \"\(entry)\"")
        }
        return entries
    }
}

/// The main thread's wait for "stop now": a signal, or a runtime asking
/// (its parent went away). Released once; later requests are no-ops.
final class StopLatch: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let reason = Mutex<String?>(nil)

    func request(_ why: String) {
        let first = reason.withLock { r in defer { if r == nil { r = why } }; return r == nil }
        if first { semaphore.signal() }
    }

    /// Blocks until `request` was called; returns why.
    func wait() -> String {
        semaphore.wait()
        return reason.withLock { $0 ?? "" }
    }
}
