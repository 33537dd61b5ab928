import JunctionCore
@testable import Protocol

/// Fixed messages and a fixed key shared by the round-trip, golden-vector and
/// tamper tests (the golden vectors in docs/PROTOCOL.md use exactly these).
enum Fixtures {
    /// Bytes 0x00...0x1f: the key of every golden vector.
    static let keyBytes: [UInt8] = (0..<32).map { UInt8($0) }
    static let key = try! AuthKey(bytes: keyBytes)
    static let codec = DatagramCodec(key: key)
    static let insecureCodec = DatagramCodec(key: nil)

    static let sender: UInt64 = 0x0102_0304_0506_0708
    static let sequence: UInt64 = 42

    /// The agent process the coordinator→agent vectors are addressed to.
    static let agentInstance: UInt64 = 0xA6E7_0000_0000_0007
    /// The coordinator the full report is addressed to.
    static let coordinatorID: UInt64 = 0xC00D_1A70_0000_0001

    static let runningPlan = PlanRef(id: PlanID(rawValue: 0x1122_3344_5566_7788), anchor: TimebaseInstant(nanos: 1_699_999_000_000_000_000))
    /// The fixture plan file's id, anchored where the plan chunk activates it.
    static let announcedPlan = PlanRef(id: PlanID(rawValue: 0xebf7_465d_1ed9_c01d), anchor: TimebaseInstant(nanos: 1_700_000_060_000_000_000))

    static let tickWithEcho = Tick(
        coordinatorID: coordinatorID, term: 3,
        sentAt: TimebaseInstant(nanos: 1_700_000_000_123_456_789),
        plan: runningPlan, pending: .none,
        cyclePositionNanos: 12_345_000_000,
        echo: Echo(reportSentAt: LocalInstant(nanos: 987_654_321_000),
                   reportReceivedAt: TimebaseInstant(nanos: 1_700_000_000_100_000_000)))

    static let tickWithoutEcho = Tick(
        coordinatorID: coordinatorID, term: 3,
        sentAt: TimebaseInstant(nanos: -5), plan: .none,
        pending: PlanRef(id: PlanID(rawValue: 0xFFFF_FFFF_FFFF_FFFF), anchor: TimebaseInstant(nanos: .max)),
        cyclePositionNanos: 0)

    /// A committed handover 2 s before its anchor, while the junction is
    /// stopped (a silent head).
    static let tickCommittedStop = Tick(
        coordinatorID: coordinatorID, term: 4,
        sentAt: TimebaseInstant(nanos: 1_700_000_058_000_000_000),
        plan: runningPlan, pending: announcedPlan, pendingCommitted: true,
        cyclePositionNanos: 45_000_000_000, command: .stop)

    static let planBytes: [UInt8] = Array("junction demo\nphase A 30s\nphase B 25s\n".utf8)

    static var planChunk: PlanChunk {
        try! PlanChunk.split(
            planBytes: planBytes, id: PlanID(planBytes: planBytes),
            activation: TimebaseInstant(nanos: 1_700_000_060_000_000_000))[0]
    }

    static let fullReport = Report(
        ordinal: 2, instance: agentInstance, board: "pi-north-2",
        plan: runningPlan, pending: announcedPlan, state: .locked,
        offsetNanos: -1_234_567, errorBoundNanos: 250_000,
        head: HeadReport(junction: "main-and-5th", group: "north", aspect: .green),
        sentAt: LocalInstant(nanos: 987_654_321_000),
        timebaseAtSend: TimebaseInstant(nanos: 1_700_000_000_099_000_000),
        sourceCoordinatorID: coordinatorID, sourceTerm: 3,
        solicitNonce: 0x5EED_0000_0000_0001, monitorTripped: true, outOfPlan: true,
        drops: [.badTag: 3, .replayed: 1])

    static let bareReport = Report(
        ordinal: 0, instance: 1, board: "", plan: .none, state: .unsynced,
        offsetNanos: 0, errorBoundNanos: .max, head: nil, sentAt: LocalInstant(nanos: 0),
        timebaseAtSend: nil, sourceCoordinatorID: 0, sourceTerm: 0)

    /// An agent's last word after a graceful stop: its lamp shows steady red.
    static let stoppedReport = Report(
        ordinal: 2, instance: agentInstance, board: "pi-north-2",
        plan: runningPlan, state: .locked,
        offsetNanos: -1_234_567, errorBoundNanos: 250_000,
        head: HeadReport(junction: "main-and-5th", group: "north", aspect: .red),
        sentAt: LocalInstant(nanos: 987_654_400_000),
        timebaseAtSend: TimebaseInstant(nanos: 1_700_000_000_178_000_000),
        sourceCoordinatorID: coordinatorID, sourceTerm: 3, stopped: true)

    static let hello = Hello(ordinal: 2, instance: agentInstance, board: "pi-north-2")

    static let goodbye = Goodbye(
        coordinatorID: coordinatorID, term: 3, sentAt: TimebaseInstant(nanos: 1_700_000_100_000_000_000))

    /// From a coordinator that is adopting (term 0) and knows only the
    /// agent's address (recipient 0).
    static let solicit = Solicit(coordinatorID: 0xC00D_1A70_0000_0002, term: 0, nonce: 0x5EED_0000_0000_0002,
                                 wantedPlan: runningPlan.id)

    /// One of each message type (and both shapes of the optional parts),
    /// with the recipient each is sealed for in the golden vectors.
    static var allMessages: [(name: String, message: Message, recipient: UInt64)] {
        [
            ("tick-echo", .tick(tickWithEcho), agentInstance),
            ("tick", .tick(tickWithoutEcho), agentInstance),
            ("tick-commit-stop", .tick(tickCommittedStop), agentInstance),
            ("plan", .plan(planChunk), agentInstance),
            ("report", .report(fullReport), coordinatorID),
            ("report-bare", .report(bareReport), 0),
            ("report-stopped", .report(stoppedReport), coordinatorID),
            ("hello", .hello(hello), 0),
            ("goodbye", .goodbye(goodbye), agentInstance),
            ("solicit", .solicit(solicit), 0),
        ]
    }

    /// The fixture message named `name`, with its recipient.
    static func entry(_ name: String) -> (message: Message, recipient: UInt64) {
        let entry = allMessages.first { $0.name == name }!
        return (entry.message, entry.recipient)
    }

    /// An inbox that accepts a datagram sealed for `recipient` (any
    /// receiver's id for the unaddressed ones).
    static func inbox(for recipient: UInt64, codec: DatagramCodec = codec) -> Inbox {
        Inbox(codec: codec, localID: recipient == 0 ? 0x10CA_1000_0000_0001 : recipient)
    }
}

/// Lowercase hex, and back: golden vectors are written this way.
enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }

    static func decode(_ text: String) -> [UInt8] {
        let nibbles = text.compactMap { $0.hexDigitValue }
        precondition(nibbles.count % 2 == 0 && nibbles.count == text.filter { !$0.isWhitespace }.count)
        return stride(from: 0, to: nibbles.count, by: 2).map { UInt8(nibbles[$0] << 4 | nibbles[$0 + 1]) }
    }
}
