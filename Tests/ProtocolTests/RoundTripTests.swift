import JunctionCore
import Testing
@testable import Protocol

/// Every message type survives seal → open unchanged, with and without a key.
@Suite struct RoundTripTests {
    @Test(arguments: Fixtures.allMessages.map(\.name))
    func roundTrip(name: String) throws {
        let message = try #require(Fixtures.allMessages.first { $0.name == name }).message
        for codec in [Fixtures.codec, Fixtures.insecureCodec] {
            let datagram = try codec.seal(message, sender: 7, sequence: 9)
            #expect(datagram.count <= Wire.maximumDatagramByteCount)
            #expect(codec.open(datagram) == .success(Envelope(senderID: 7, sequence: 9, message: message)))
        }
    }

    /// Extremes of every field: maximum names (63 bytes, multi-byte UTF-8),
    /// all counters, extreme integers, and the largest chunk.
    @Test func extremesRoundTrip() throws {
        let longName = String(repeating: "é", count: 31) + "x"  // 63 bytes
        #expect(longName.utf8.count == Wire.maximumNameByteCount)
        let allDrops = Dictionary(uniqueKeysWithValues: DropReason.allCases.map { ($0, UInt64.max) })
        let report = Report(
            ordinal: .max, instance: .max, board: longName, planID: PlanID(rawValue: .max), state: .flash,
            offsetNanos: .min, errorBoundNanos: .max,
            head: HeadReport(junction: longName, group: longName, aspect: .flashingRed),
            sentAt: LocalInstant(nanos: .min), timebaseAtSend: TimebaseInstant(nanos: .max),
            sourceCoordinatorID: .max, sourceTerm: .max, drops: allDrops)
        let plan = [UInt8](repeating: 0xAB, count: Wire.planChunkPayloadByteCount * 3)
        let chunks = try PlanChunk.split(planBytes: plan, id: PlanID(planBytes: plan), activation: TimebaseInstant(nanos: .min))
        // The largest report is 459 bytes, as docs/PROTOCOL.md says.
        #expect(try Fixtures.codec.seal(.report(report), sender: 1, sequence: 1).count == 459)
        let messages: [Message] = [.report(report), .plan(chunks[1]), .hello(Hello(ordinal: .max, instance: 0, board: longName))]
        for message in messages {
            let datagram = try Fixtures.codec.seal(message, sender: .max, sequence: .max)
            #expect(datagram.count <= Wire.maximumDatagramByteCount)
            #expect(Fixtures.codec.open(datagram) == .success(Envelope(senderID: .max, sequence: .max, message: message)))
        }
    }

    /// Zero counters are not sent, so they come back absent, not as zero.
    @Test func zeroDropCountersAreNotSent() throws {
        var report = Fixtures.bareReport
        report.drops = [.stale: 0, .badTag: 2]
        let datagram = try Fixtures.codec.seal(.report(report), sender: 1, sequence: 1)
        guard case let .success(envelope) = Fixtures.codec.open(datagram), case let .report(decoded) = envelope.message else {
            Issue.record("report did not decode")
            return
        }
        #expect(decoded.drops == [.badTag: 2])
    }

    @Test func dropReasonNamesAreUniqueAndParse() {
        let names = DropReason.allCases.map(\.description)
        #expect(Set(names).count == names.count)
        for reason in DropReason.allCases { #expect(DropReason(name: reason.description) == reason) }
        #expect(DropReason.badTag.description == "bad-tag")
        #expect(DropReason.tooShort.rawValue == 1)
    }
}
