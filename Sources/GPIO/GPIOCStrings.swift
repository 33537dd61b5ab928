/// Conversions between Swift strings and the fixed `char[32]` fields of the
/// uAPI structs, which Swift imports as tuples.
enum GPIOCStrings {
    /// The NUL-terminated string stored in a fixed C char array (tuple).
    static func string<Tuple>(from tuple: Tuple) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// Stores `value` NUL-terminated in a fixed C char array, truncating it
    /// so that the terminator always fits.
    static func store<Tuple>(_ value: String, into tuple: inout Tuple) {
        withUnsafeMutableBytes(of: &tuple) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            for (i, byte) in value.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
    }
}
