/// Quoting for the two log formats, shared with the GPIO recording format.
///
/// Why public: recordings and `/status` bodies are JSON too, and one escaping
/// routine means one set of tests.
public enum LoggerEscaping {
    /// `text` as a JSON string literal with quotes (RFC 8259): `"`, `\` and
    /// control characters are escaped; other Unicode passes through as UTF-8.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\u" + hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `text` as a logfmt value: bare when it is non-empty and has no space,
    /// `=`, `"` or control character; otherwise quoted with the JSON escapes.
    public static func logfmtValue(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.unicodeScalars.contains { s in
            s == " " || s == "=" || s == "\"" || s == "\\" || s.value < 0x20 || s.value == 0x7F
        }
        return needsQuotes ? jsonString(text) : text
    }

    /// `key` as a logfmt key: characters other than letters, digits, `_`,
    /// `-`, `.` and `/` become `_`, so a key can never break the line apart.
    public static func logfmtKey(_ key: String) -> String {
        if key.isEmpty { return "_" }
        var out = ""
        for s in key.unicodeScalars {
            let ok = (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9")
                || s == "_" || s == "-" || s == "." || s == "/"
            out.unicodeScalars.append(ok ? s : "_")
        }
        return out
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<4).reversed().map { digits[Int((value >> (UInt32($0) * 4)) & 0xF)] })
    }
}
