import Posix

/// Builds one JSON object as text, fields in the order they are added.
///
/// Why not an encoder: `/status` is a handful of scalars and one array, and
/// the package has no Foundation; strings are escaped with the logger's
/// JSON escaping, so a head or board name cannot break the document.
public struct JSONText: Sendable {
    private var fields: [String] = []

    public init() {}

    public mutating func add(_ key: String, _ value: String?) {
        fields.append("\(LoggerEscaping.jsonString(key)):\(value.map(LoggerEscaping.jsonString) ?? "null")")
    }

    public mutating func add(_ key: String, _ value: Int64?) {
        fields.append("\(LoggerEscaping.jsonString(key)):\(value.map { String($0) } ?? "null")")
    }

    public mutating func add(_ key: String, _ value: Double?) {
        let text = value.flatMap { $0.isFinite ? String($0) : nil } ?? "null"
        fields.append("\(LoggerEscaping.jsonString(key)):\(text)")
    }

    public mutating func add(_ key: String, _ value: Bool) {
        fields.append("\(LoggerEscaping.jsonString(key)):\(value)")
    }

    /// A nested object or array already rendered as JSON.
    public mutating func add(_ key: String, raw json: String) {
        fields.append("\(LoggerEscaping.jsonString(key)):\(json)")
    }

    public var text: String { "{" + fields.joined(separator: ",") + "}" }
}
