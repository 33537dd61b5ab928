import Posix

/// Appends JSON to one growing string, for documents too large for
/// `JSONText` to build field by field (the web view's snapshot of 1,000
/// agents is rebuilt every second). The caller writes the punctuation of
/// objects and arrays in order; strings are escaped like the logger's.
struct JSONWriter {
    private(set) var text = ""
    /// Whether the next member or element needs a comma before it.
    private var needsComma = false

    init(reservingCapacity bytes: Int = 4096) { text.reserveCapacity(bytes) }

    mutating func beginObject(_ key: String? = nil) { prefix(key); text += "{"; needsComma = false }
    mutating func endObject() { text += "}"; needsComma = true }
    mutating func beginArray(_ key: String? = nil) { prefix(key); text += "["; needsComma = false }
    mutating func endArray() { text += "]"; needsComma = true }

    mutating func string(_ key: String? = nil, _ value: String?) {
        prefix(key)
        if let value { Self.appendQuoted(value, to: &text) } else { text += "null" }
        needsComma = true
    }

    /// Most names need no escaping: copy them at once and escape only when
    /// a byte needs it (quote, backslash, control, DEL).
    static func appendQuoted(_ value: String, to text: inout String) {
        let plain = value.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0x7F }
        if plain {
            text += "\""
            text += value
            text += "\""
        } else {
            text += LoggerEscaping.jsonString(value)
        }
    }

    mutating func integer(_ key: String? = nil, _ value: Int64?) {
        prefix(key)
        if let value { text += String(value) } else { text += "null" }
        needsComma = true
    }

    mutating func bool(_ key: String? = nil, _ value: Bool) {
        prefix(key)
        text += value ? "true" : "false"
        needsComma = true
    }

    /// A value already rendered as JSON.
    mutating func raw(_ key: String? = nil, _ json: String) {
        prefix(key)
        text += json
        needsComma = true
    }

    private mutating func prefix(_ key: String?) {
        if needsComma { text += "," }
        if let key { text += "\""; text += key; text += "\":" }
    }
}
