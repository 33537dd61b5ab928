#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Structured logging: one line per event on a file descriptor (stdout by
/// default), in logfmt or JSON.
///
/// Why this shape: Kubernetes collects a pod's stdout line by line, so a line
/// must never be split or interleaved; and the thread that changes the
/// lights logs too, so logging must never make it wait for the log
/// collector. Each line is formatted by the caller and handed to one writer
/// thread per logger family (`with(_:)` children share it, `LogWriter`),
/// which writes whole lines in order. `flush()` waits for the queue, before
/// the process exits. Fields keep the order they are given in.
public final class Logger: Sendable {
    /// The writer shared by a logger and its children; the last one gone
    /// lets the writer thread finish the queue and exit.
    private final class Sink: Sendable {
        let writer: LogWriter
        init(fd: Int32, format: Format) {
            writer = LogWriter(fd: fd) { count in
                Logger.formatLine(format, level: .warn, message: "log lines dropped: the output could not keep up",
                                  fields: [("count", .int(Int64(count)))], realtimeNanos: Logger.realtimeNanos())
            }
        }
        deinit { writer.close() }
        func write(_ line: String) { writer.push(line) }
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
        self.sink = Sink(fd: fd, format: format)
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
        let all = baseFields + fields.map { ($0.key, $0.value) }
        sink.write(Self.formatLine(format, level: level, message: message, fields: all, realtimeNanos: Self.realtimeNanos()))
    }

    /// Waits until every line logged so far (by this logger's family) was
    /// written, for at most `timeoutNanos`; false if the output is stuck.
    /// Call before the process exits.
    @discardableResult
    public func flush(timeoutNanos: Int64 = 2_000_000_000) -> Bool {
        sink.writer.flush(timeoutNanos: timeoutNanos)
    }

    static func realtimeNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
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
