extension Logger {
    /// A field value. Typed so JSON lines keep numbers and booleans unquoted;
    /// literals and interpolations convert implicitly: `["port": 9000,
    /// "peer": "\(address)"]`.
    public enum Value: Sendable, Hashable, CustomStringConvertible,
        ExpressibleByStringLiteral, ExpressibleByStringInterpolation,
        ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral
    {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)

        public init(stringLiteral value: String) { self = .string(value) }
        public init(integerLiteral value: Int64) { self = .int(value) }
        public init(floatLiteral value: Double) { self = .double(value) }
        public init(booleanLiteral value: Bool) { self = .bool(value) }

        /// The value as text, unquoted.
        public var description: String {
            switch self {
            case .string(let s): s
            case .int(let i): String(i)
            case .double(let d): String(d)
            case .bool(let b): b ? "true" : "false"
            }
        }

        /// The value as a JSON token; non-finite doubles become strings
        /// because JSON has no NaN or infinity.
        var json: String {
            switch self {
            case .string(let s): LoggerEscaping.jsonString(s)
            case .int(let i): String(i)
            case .double(let d): d.isFinite ? String(d) : LoggerEscaping.jsonString(String(d))
            case .bool(let b): b ? "true" : "false"
            }
        }

        /// The value as a logfmt value, quoted only when it must be.
        var logfmt: String { LoggerEscaping.logfmtValue(description) }
    }
}
