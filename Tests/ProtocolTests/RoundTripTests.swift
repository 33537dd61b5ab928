import JunctionCore
import Testing
@testable import Protocol

/// Every message type survives seal → open unchanged, with and without a key.
@Suite struct RoundTripTests {
    @Test(arguments: Fixtures.allMessages.map(\.name))
    func roundTrip(name: String) throws {
        let (message, recipient) = Fixtures.entry(name)
        for codec in [Fixtures.codec, Fixtures.insecureCodec] {
            let datagram = try codec.seal(message, sender: 7, sequence: 9, recipient: recipient)
            #expect(datagram.count <= Wire.maximumDatagramByteCount)
            #expect(codec.open(datagram) == .success(Envelope(senderID: 7, sequence: 9, recipientID: recipient, message: message)))
        }
    }

    /// Extremes of every field: maximum names (63 bytes, multi-byte UTF-8),
    /// all counters, extreme integers, and the largest chunk.
    @Test func extremesRoundTrip() throws {
        let longName = String(repeating: "é", count: 31) + "x"  // 63 bytes
        #expect(longName.utf8.count == Wire.maximumNameByteCount)
        let allDrops = Dictionary(uniqueKeysWithValues: DropReason.allCases.map { ($0, UInt64.max) })
        let report = Report(
            ordinal: .max, instance: .max, board: longName,
            plan: PlanRef(id: PlanID(rawValue: .max), anchor: TimebaseInstant(nanos: .min)),
            pending: PlanRef(id: PlanID(rawValue: 1), anchor: TimebaseInstant(nanos: .max)), state: .flash,
            offsetNanos: .min, errorBoundNanos: .max,
            head: HeadReport(junction: longName, group: longName, aspect: .flashingRed),
            sentAt: LocalInstant(nanos: .min), timebaseAtSend: TimebaseInstant(nanos: .max),
            sourceCoordinatorID: .max, sourceTerm: .max, solicitNonce: .max, monitorTripped: true, outOfPlan: true,
            stopped: true, drops: allDrops)
        let tick = Tick(
            coordinatorID: .max, term: .max, sentAt: TimebaseInstant(nanos: .min),
            plan: PlanRef(id: PlanID(rawValue: .max), anchor: TimebaseInstant(nanos: .max)),
            pending: PlanRef(id: PlanID(rawValue: .max), anchor: TimebaseInstant(nanos: .min)), pendingCommitted: true,
            cyclePositionNanos: .max, command: .stop,
            echo: Echo(reportSentAt: LocalInstant(nanos: .max), reportReceivedAt: TimebaseInstant(nanos: .min)))
        let plan = [UInt8](repeating: 0xAB, count: Wire.planChunkPayloadByteCount * 3)
        let chunks = try PlanChunk.split(planBytes: plan, id: PlanID(planBytes: plan), activation: TimebaseInstant(nanos: .min))
        // The sizes docs/PROTOCOL.md states: the largest report is 509
        // bytes, a tick 115, a tick with echo 131, a solicit 73.
        #expect(try Fixtures.codec.seal(.report(report), sender: 1, sequence: 1).count == 509)
        #expect(try Fixtures.codec.seal(.tick(tick), sender: 1, sequence: 1).count == 131)
        #expect(try Fixtures.codec.seal(.tick(Fixtures.tickWithoutEcho), sender: 1, sequence: 1).count == 115)
        #expect(try Fixtures.codec.seal(.solicit(Fixtures.solicit), sender: 1, sequence: 1).count == 81)
        let messages: [Message] = [
            .report(report), .tick(tick), .plan(chunks[1]), .hello(Hello(ordinal: .max, instance: 0, board: longName)),
            .solicit(Solicit(coordinatorID: .max, term: .max, nonce: .max)),
            .solicit(Solicit(coordinatorID: 1, term: 0, nonce: 1, wantedPlan: PlanID(rawValue: .max))),
        ]
        for message in messages {
            let datagram = try Fixtures.codec.seal(message, sender: .max, sequence: .max, recipient: .max)
            #expect(datagram.count <= Wire.maximumDatagramByteCount)
            #expect(Fixtures.codec.open(datagram) == .success(Envelope(senderID: .max, sequence: .max, recipientID: .max, message: message)))
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
        #expect(DropReason.planEvicted.rawValue == 17)
        #expect(DropReason.misaddressed.rawValue == 18 && DropReason.misaddressed.description == "misaddressed")
    }
}
