import JunctionCore
import Testing
@testable import Protocol

/// Systematic tampering with valid datagrams of every type: each single-bit
/// flip, each truncation and each replay is refused, and the inbox counts the
/// reason the layout predicts.
@Suite struct TamperTests {
    /// The reason a flip of `bit` in byte `offset` must produce, from the
    /// header layout: magic, version, type, flags, body length, then
    /// everything the tag covers (sender, sequence, body) and the tag itself.
    static func expectedReason(flipping bit: Int, ofByte offset: Int, in datagram: [UInt8]) -> DropReason {
        let flipped = datagram[offset] ^ (1 << bit)
        switch offset {
        case 0..<4: return .badMagic
        case 4: return .unsupportedVersion
        case 5: return Wire.MessageType(rawValue: flipped) == nil ? .unknownType : .badTag
        case 6: return bit == 0 ? .untagged : .badField
        case 7, 8:
            let original = Int(datagram[7]) << 8 | Int(datagram[8])
            let changed = offset == 7 ? original ^ (1 << (bit + 8)) : original ^ (1 << bit)
            return changed > original ? .badLength : .trailingBytes
        default: return .badTag
        }
    }

    @Test(arguments: Fixtures.allMessages.map(\.name))
    func everyBitFlipIsRefused(name: String) throws {
        let (message, recipient) = Fixtures.entry(name)
        let datagram = try Fixtures.codec.seal(message, sender: Fixtures.sender, sequence: 1, recipient: recipient)
        var inbox = Fixtures.inbox(for: recipient)
        var expected = DropCounters()
        for offset in datagram.indices {
            for bit in 0..<8 {
                var tampered = datagram
                tampered[offset] ^= 1 << bit
                let reason = Self.expectedReason(flipping: bit, ofByte: offset, in: datagram)
                let result1 = inbox.receive(tampered, timebaseEstimate: nil)
                #expect(result1 == .failure(reason), "byte \(offset) bit \(bit)")
                expected.record(reason)
            }
        }
        #expect(inbox.drops == expected)
        #expect(inbox.drops.total == UInt64(datagram.count * 8))
        // The untouched datagram still gets through afterwards: no flip was recorded as seen.
        let result2 = inbox.receive(datagram, timebaseEstimate: nil)
        #expect(result2 == .success(Envelope(senderID: Fixtures.sender, sequence: 1, recipientID: recipient, message: message)))
    }

    @Test(arguments: Fixtures.allMessages.map(\.name))
    func everyTruncationIsRefused(name: String) throws {
        let (message, recipient) = Fixtures.entry(name)
        for codec in [Fixtures.codec, Fixtures.insecureCodec] {
            let datagram = try codec.seal(message, sender: Fixtures.sender, sequence: 1, recipient: recipient)
            var inbox = Fixtures.inbox(for: recipient, codec: codec)
            for length in 0..<datagram.count {
                let reason: DropReason = length < Wire.headerByteCount ? .tooShort : .badLength
                let result = inbox.receive(Array(datagram[..<length]), timebaseEstimate: nil)
                #expect(result == .failure(reason), "length \(length)")
            }
            #expect(inbox.drops[.tooShort] == UInt64(Wire.headerByteCount))
            #expect(inbox.drops[.badLength] == UInt64(datagram.count - Wire.headerByteCount))
            #expect(inbox.drops.total == UInt64(datagram.count))
        }
    }

    /// After 100 datagrams in order, every one of them replayed is refused;
    /// so is a fresh-looking one more than 64 behind.
    @Test(arguments: Fixtures.allMessages.map(\.name))
    func everyReplayIsRefused(name: String) throws {
        let (message, recipient) = Fixtures.entry(name)
        var inbox = Fixtures.inbox(for: recipient)
        let datagrams = try (1...100).map {
            try Fixtures.codec.seal(message, sender: Fixtures.sender, sequence: UInt64($0), recipient: recipient)
        }
        for datagram in datagrams {
            #expect(throws: Never.self) { try inbox.receive(datagram, timebaseEstimate: nil).get() }
        }
        for (index, datagram) in datagrams.enumerated() {
            let result = inbox.receive(datagram, timebaseEstimate: nil)
            #expect(result == .failure(.replayed), "sequence \(index + 1)")
        }
        #expect(inbox.drops[.replayed] == 100)
        #expect(inbox.drops.total == 100)
    }

    /// The recipient is under the tag: a tick re-addressed from agent A to
    /// agent B by changing any of its recipient bytes is a forgery
    /// (`bad-tag`) before the inbox ever compares the recipient.
    @Test func changingTheRecipientBreaksTheTag() throws {
        let datagram = try Fixtures.codec.seal(.tick(Fixtures.tickWithEcho), sender: 1, sequence: 1, recipient: Fixtures.agentInstance)
        for offset in Wire.recipientOffset..<(Wire.recipientOffset + 8) {
            var readdressed = datagram
            readdressed[offset] ^= 0x5A
            // Agent B: the process the changed bytes now name.
            let agentB = Fixtures.agentInstance ^ (0x5A << (8 * UInt64(Wire.recipientOffset + 7 - offset)))
            var inbox = Inbox(codec: Fixtures.codec, localID: agentB)
            #expect(inbox.receive(readdressed, timebaseEstimate: nil) == .failure(.badTag), "byte \(offset)")
        }
    }

    /// Appending bytes, and a datagram over the size limit, are refused.
    @Test func extraBytesAreRefused() throws {
        let datagram = try Fixtures.codec.seal(.hello(Fixtures.hello), sender: 1, sequence: 1)
        #expect(Fixtures.codec.open(datagram + [0]) == .failure(.trailingBytes))
        #expect(Fixtures.codec.open(datagram + [UInt8](repeating: 0, count: 2000)) == .failure(.oversize))
    }

    /// A datagram sealed with another key, or without one, is refused.
    @Test func keyMismatchesAreRefused() throws {
        let otherKey = try AuthKey(bytes: [UInt8](repeating: 0x42, count: 32))
        let forged = try DatagramCodec(key: otherKey).seal(.tick(Fixtures.tickWithEcho), sender: 1, sequence: 1)
        #expect(Fixtures.codec.open(forged) == .failure(.badTag))
        let untagged = try Fixtures.insecureCodec.seal(.tick(Fixtures.tickWithEcho), sender: 1, sequence: 1)
        #expect(Fixtures.codec.open(untagged) == .failure(.untagged))
        #expect(Fixtures.insecureCodec.open(forged) == .failure(.unexpectedTag))
    }

    /// In insecure mode a body field can be tampered with undetected, but
    /// impossible values are still refused with a reason, never a trap.
    @Test func insecureBodiesAreStillChecked() throws {
        var datagram = try Fixtures.insecureCodec.seal(.report(Fixtures.fullReport), sender: 1, sequence: 1)
        let stateOffset = Wire.headerByteCount + 4 + 8 + 1 + "pi-north-2".utf8.count
        #expect(datagram[stateOffset] == SyncState.locked.rawValue)
        datagram[stateOffset] = 99
        #expect(Fixtures.insecureCodec.open(datagram) == .failure(.badField))
        datagram[stateOffset] = SyncState.flash.rawValue
        guard case let .success(envelope) = Fixtures.insecureCodec.open(datagram), case let .report(report) = envelope.message else {
            Issue.record("tampered insecure report should still decode")
            return
        }
        #expect(report.state == .flash)
    }
}
