import JunctionCore

/// Reads big-endian fields from a byte range, checking every length before it
/// reads: running past the end throws `.badLength` instead of trapping, which
/// is what lets the decoder take any bytes from the network.
struct WireReader {
    private let base: UnsafeRawBufferPointer
    private(set) var offset: Int
    private let end: Int

    /// Reads `buffer[start..<end]`.
    init(_ buffer: UnsafeRawBufferPointer, start: Int, end: Int) {
        precondition(0 <= start && start <= end && end <= buffer.count)
        base = buffer
        offset = start
        self.end = end
    }

    var remaining: Int { end - offset }

    private mutating func take(_ count: Int) throws(DropReason) -> Int {
        guard count <= remaining else { throw .badLength }
        defer { offset += count }
        return offset
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(DropReason) -> T {
        let at = try take(MemoryLayout<T>.size)
        return T(bigEndian: base.loadUnaligned(fromByteOffset: at, as: T.self))
    }

    mutating func u8() throws(DropReason) -> UInt8 { base[try take(1)] }
    mutating func u16() throws(DropReason) -> UInt16 { try integer(UInt16.self) }
    mutating func u32() throws(DropReason) -> UInt32 { try integer(UInt32.self) }
    mutating func u64() throws(DropReason) -> UInt64 { try integer(UInt64.self) }
    mutating func i64() throws(DropReason) -> Int64 { Int64(bitPattern: try integer(UInt64.self)) }

    /// A presence flag: exactly 0 or 1, so every value has one encoding.
    mutating func bool() throws(DropReason) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        default: throw .badField
        }
    }

    mutating func raw(count: Int) throws(DropReason) -> [UInt8] {
        let at = try take(count)
        return [UInt8](UnsafeRawBufferPointer(rebasing: base[at..<(at + count)]))
    }

    /// A length byte then that many bytes of valid UTF-8, at most
    /// `Wire.maximumNameByteCount`.
    mutating func name() throws(DropReason) -> String {
        let count = Int(try u8())
        guard count <= Wire.maximumNameByteCount else { throw .nameTooLong }
        let at = try take(count)
        let slice = UnsafeRawBufferPointer(rebasing: base[at..<(at + count)])
        // ASCII is valid UTF-8 as it is, and every name the project writes
        // is ASCII: it skips the generic validator, a quarter of decoding a
        // report (the coordinator decodes ten per agent a second).
        if !slice.contains(where: { $0 >= 0x80 }) { return String(decoding: slice, as: UTF8.self) }
        guard let text = String(validating: slice, as: UTF8.self) else { throw .badField }
        return text
    }

    /// A plan identity: id then anchor, in its canonical form (no plan is
    /// (0, 0); an anchor without an id is `.badField`).
    mutating func planRef() throws(DropReason) -> PlanRef {
        let ref = PlanRef(id: PlanID(rawValue: try u64()), anchor: TimebaseInstant(nanos: try i64()))
        guard ref.isCanonical else { throw .badField }
        return ref
    }

    /// A raw value of a `UInt8` enum; unknown values are `.badField`.
    mutating func enumeration<E: RawRepresentable>(_: E.Type) throws(DropReason) -> E where E.RawValue == UInt8 {
        guard let value = E(rawValue: try u8()) else { throw .badField }
        return value
    }
}
