/// Appends big-endian fields to a byte array: the one encoder every message
/// uses, so network byte order is decided in one place.
struct WireWriter {
    var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { append(value) }
    mutating func u32(_ value: UInt32) { append(value) }
    mutating func u64(_ value: UInt64) { append(value) }
    mutating func i64(_ value: Int64) { append(UInt64(bitPattern: value)) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func raw(_ value: [UInt8]) { bytes.append(contentsOf: value) }

    /// A plan identity: id then anchor (callers check it is canonical).
    mutating func planRef(_ value: PlanRef) {
        u64(value.id.rawValue)
        i64(value.anchor.nanos)
    }

    /// A length byte then the UTF-8 bytes; callers check the length first.
    mutating func name(_ value: String) {
        let utf8 = value.utf8
        bytes.append(UInt8(truncatingIfNeeded: utf8.count))
        bytes.append(contentsOf: utf8)
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        var big = value.bigEndian
        withUnsafeBytes(of: &big) { bytes.append(contentsOf: $0) }
    }

    /// Overwrites a big-endian UInt16 at `offset` (the header's body length).
    mutating func patchU16(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }
}
