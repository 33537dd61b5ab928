extension Logger {
    /// How important an event is; lines below the logger's minimum are dropped
    /// before they are formatted.
    public enum Level: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
        case debug = 0
        case info = 1
        case warn = 2
        case error = 3

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        /// `debug`, `info`, `warn` or `error`: the `level` field of each line.
        public var description: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warn: "warn"
            case .error: "error"
            }
        }

        /// Parses the names above (and `warning`), for `--log-level`.
        public init?(name: String) {
            switch name.lowercased() {
            case "debug": self = .debug
            case "info": self = .info
            case "warn", "warning": self = .warn
            case "error": self = .error
            default: return nil
            }
        }
    }

    /// The shape of a line. logfmt is easy to read in `kubectl logs`; JSON is
    /// what log collectors parse without configuration.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        case logfmt
        case json
    }
}
