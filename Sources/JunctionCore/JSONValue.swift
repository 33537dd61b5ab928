/// A parsed JSON document, kept small and exact.
///
/// Plans arrive as JSON (a Kubernetes ConfigMap carries them). We parse them
/// ourselves rather than through Foundation so that a malformed file gets an
/// error with its line and column, numbers keep their exact decimal text (a
/// duration of `2.1` seconds becomes exactly 2,100,000,000 ns), and this
/// target needs nothing beyond the standard library.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, converted on demand without rounding.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in file order; duplicate keys are refused by the parser.
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Where and why a JSON text could not be parsed.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String
    public var description: String { "line \(line), column \(column): \(reason)" }
}
