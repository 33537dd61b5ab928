#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Structured logging: one line per event on a file descriptor (stdout by
/// default), in logfmt or JSON.
///
/// Why this shape: Kubernetes collects a pod's stdout line by line, so a line
/// must never be split or interleaved. Each line is formatted first and then
/// written with a single write(2) under a lock shared by the logger and all its
/// children (`with(_:)`), so lines from the timing, network and HTTP threads
/// stay whole. Fields keep the order they are given in.
public final class Logger: Sendable {
    /// The descriptor and lock shared by a logger and its children.
    private final class Sink: Sendable {
        let fd: Int32
        let lock = Mutex(())
        init(fd: Int32) { self.fd = fd }

        func write(_ line: String) {
            var bytes = Array(line.utf8)
            lock.withLock { _ in
                bytes.withUnsafeMutableBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                        if n < 0 && errno == EINTR { continue }
                        // A log line that cannot be written has nowhere to be reported.
                        if n <= 0 { return }
                        offset += n
                    }
                }
            }
        }
    }

    public let format: Format
    public let minimumLevel: Level
    /// Fields put on every line of this logger, before the event's own.
    public let baseFields: [(String, Value)]
    private let sink: Sink

    /// - Parameters:
    ///   - fd: where lines go; 1 (standard output) by default. Not closed.
    ///   - format: logfmt (default) or JSON.
    ///   - minimumLevel: events below it are dropped.
    ///   - fields: put on every line, e.g. `["node": "pi-3"]`.
    public init(fd: Int32 = 1, format: Format = .logfmt, minimumLevel: Level = .info, fields: KeyValuePairs<String, Value> = [:]) {
        self.sink = Sink(fd: fd)
        self.format = format
        self.minimumLevel = minimumLevel
        self.baseFields = fields.map { ($0.key, $0.value) }
    }

    private init(sink: Sink, format: Format, minimumLevel: Level, baseFields: [(String, Value)]) {
        self.sink = sink
        self.format = format
        self.minimumLevel = minimumLevel
        self.baseFields = baseFields
    }

    /// A logger writing to the same descriptor (under the same lock) that adds
    /// `fields` to every line, e.g. `logger.with(["head": "north"])`.
    public func with(_ fields: KeyValuePairs<String, Value>) -> Logger {
        Logger(sink: sink, format: format, minimumLevel: minimumLevel, baseFields: baseFields + fields.map { ($0.key, $0.value) })
    }

    public func isEnabled(_ level: Level) -> Bool { level >= minimumLevel }

    /// Writes one event if `level` is at least the minimum level.
    public func log(_ level: Level, _ message: String, _ fields: KeyValuePairs<String, Value> = [:]) {
        guard isEnabled(level) else { return }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let nanos = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
        let all = baseFields + fields.map { ($0.key, $0.value) }
        sink.write(Self.formatLine(format, level: level, message: message, fields: all, realtimeNanos: nanos))
    }

    public func debug(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { log(.info, message, fields) }
    public func warn(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { log(.warn, message, fields) }
    public func error(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { log(.error, message, fields) }

    /// One complete line, newline included: `ts`, `level`, `msg`, then the
    /// fields in order. Pure, for tests and for callers that batch lines.
    public static func formatLine(
        _ format: Format, level: Level, message: String, fields: [(String, Value)], realtimeNanos: Int64
    ) -> String {
        let ts = timestamp(realtimeNanos: realtimeNanos)
        switch format {
        case .logfmt:
            var line = "ts=\(ts) level=\(level) msg=\(LoggerEscaping.logfmtValue(message))"
            for (key, value) in fields { line += " \(LoggerEscaping.logfmtKey(key))=\(value.logfmt)" }
            return line + "\n"
        case .json:
            var line = "{\"ts\":\"\(ts)\",\"level\":\"\(level)\",\"msg\":\(LoggerEscaping.jsonString(message))"
            for (key, value) in fields { line += ",\(LoggerEscaping.jsonString(key)):\(value.json)" }
            return line + "}\n"
        }
    }
}
