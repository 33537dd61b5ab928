/// Turns messages into authenticated datagrams and back.
///
/// With a key, `seal` appends a 16-byte HMAC-SHA256 tag over everything
/// before it and `open` refuses any datagram whose tag does not match,
/// before the body is parsed. With `key: nil` the codec runs in the explicit
/// insecure mode (`--insecure`): no tag is written and a tagged datagram is
/// refused, so a cluster with mixed settings fails loudly instead of quietly.
///
/// `open` never traps: every length and value is checked and each refusal is
/// a `DropReason`. Replays, freshness and whether the datagram is addressed
/// to this receiver are not this type's business; see `Inbox`.
public struct DatagramCodec: Sendable {
    public let key: AuthKey?

    public init(key: AuthKey?) { self.key = key }

    /// True when datagrams are neither tagged nor checked.
    public var isInsecure: Bool { key == nil }

    /// Encodes and (with a key) authenticates `message` for `recipient` (the
    /// receiving process's id; 0 = any, which only hellos, reports and
    /// solicits may use: receivers refuse other unaddressed types). Throws
    /// when a field is outside the wire limits (a name too long, a malformed
    /// plan chunk, a plan anchor without an id, a zero solicit nonce);
    /// goodbyes never throw.
    public func seal(
        _ message: Message, sender: UInt64, sequence: UInt64, recipient: UInt64 = Wire.anyRecipient
    ) throws(MessageError) -> [UInt8] {
        try message.validate()
        var writer = WireWriter(capacity: 256)
        writer.u32(Wire.magic)
        writer.u8(Wire.version)
        writer.u8(message.wireType.rawValue)
        writer.u8(key == nil ? 0 : Wire.taggedFlag)
        writer.u16(0)  // body length, patched below
        writer.u64(sender)
        writer.u64(sequence)
        writer.u64(recipient)
        message.encodeBody(into: &writer)
        let signedCount = writer.count
        writer.patchU16(UInt16(signedCount - Wire.headerByteCount), at: 7)
        guard let key else { return writer.finish() }
        var datagram = writer.finish(appendingZeros: Wire.tagByteCount)
        datagram.withUnsafeMutableBytes { all in
            key.mac.code(
                for: UnsafeRawBufferPointer(rebasing: all[0..<signedCount]),
                into: UnsafeMutableRawBufferPointer(rebasing: all[signedCount...]))
        }
        return datagram
    }

    /// Checks and decodes a received datagram.
    public func open(_ datagram: [UInt8]) -> Result<Envelope, DropReason> {
        datagram.withUnsafeBytes { open($0) }
    }

    /// Checks and decodes a received datagram in place, without copying it.
    public func open(_ datagram: UnsafeRawBufferPointer) -> Result<Envelope, DropReason> {
        do throws(DropReason) {
            return .success(try decode(datagram))
        } catch {
            return .failure(error)
        }
    }

    private func decode(_ datagram: UnsafeRawBufferPointer) throws(DropReason) -> Envelope {
        guard datagram.count <= Wire.maximumDatagramByteCount else { throw .oversize }
        guard datagram.count >= Wire.headerByteCount else { throw .tooShort }
        var header = WireReader(datagram, start: 0, end: Wire.headerByteCount)
        guard try header.u32() == Wire.magic else { throw .badMagic }
        guard try header.u8() == Wire.version else { throw .unsupportedVersion }
        guard let type = Wire.MessageType(rawValue: try header.u8()) else { throw .unknownType }
        let flags = try header.u8()
        guard flags & ~Wire.taggedFlag == 0 else { throw .badField }
        let tagged = flags & Wire.taggedFlag != 0
        if tagged && key == nil { throw .unexpectedTag }
        if !tagged && key != nil { throw .untagged }
        let bodyEnd = Wire.headerByteCount + Int(try header.u16())
        let expectedCount = bodyEnd + (tagged ? Wire.tagByteCount : 0)
        guard datagram.count >= expectedCount else { throw .badLength }
        guard datagram.count == expectedCount else { throw .trailingBytes }
        let sender = try header.u64()
        let sequence = try header.u64()
        let recipient = try header.u64()
        if let key { try Self.verify(datagram, signedCount: bodyEnd, with: key) }
        var body = WireReader(datagram, start: Wire.headerByteCount, end: bodyEnd)
        let message = try Message(type: type, from: &body)
        guard body.remaining == 0 else { throw .trailingBytes }
        return Envelope(senderID: sender, sequence: sequence, recipientID: recipient, message: message)
    }

    private static func verify(_ datagram: UnsafeRawBufferPointer, signedCount: Int, with key: AuthKey) throws(DropReason) {
        let matches = withUnsafeTemporaryAllocation(byteCount: Wire.tagByteCount, alignment: 8) { expected in
            key.mac.code(for: UnsafeRawBufferPointer(rebasing: datagram[0..<signedCount]), into: expected)
            return HMACSHA256.constantTimeEqual(
                UnsafeRawBufferPointer(expected), UnsafeRawBufferPointer(rebasing: datagram[signedCount...]))
        }
        guard matches else { throw .badTag }
    }
}
