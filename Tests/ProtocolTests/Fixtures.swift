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

    static let tickWithEcho = Tick(
        coordinatorID: 0xC00D_1A70_0000_0001, term: 3,
        sentAt: TimebaseInstant(nanos: 1_700_000_000_123_456_789),
        planID: PlanID(rawValue: 0x1122_3344_5566_7788), pendingPlanID: .none,
        cyclePositionNanos: 12_345_000_000,
        echo: Echo(
            agentInstance: 0xA6E7_0000_0000_0007, reportSentAt: LocalInstant(nanos: 987_654_321_000),
            reportReceivedAt: TimebaseInstant(nanos: 1_700_000_000_100_000_000)))

    static let tickWithoutEcho = Tick(
        coordinatorID: 0xC00D_1A70_0000_0001, term: 3,
        sentAt: TimebaseInstant(nanos: -5), planID: .none,
        pendingPlanID: PlanID(rawValue: 0xFFFF_FFFF_FFFF_FFFF), cyclePositionNanos: 0)

    static let planBytes: [UInt8] = Array("junction demo\nphase A 30s\nphase B 25s\n".utf8)

    static var planChunk: PlanChunk {
        try! PlanChunk.split(
            planBytes: planBytes, id: PlanID(planBytes: planBytes),
            activation: TimebaseInstant(nanos: 1_700_000_060_000_000_000))[0]
    }

    static let fullReport = Report(
        ordinal: 2, instance: 0xA6E7_0000_0000_0007, board: "pi-north-2",
        planID: PlanID(rawValue: 0x1122_3344_5566_7788), state: .locked,
        offsetNanos: -1_234_567, errorBoundNanos: 250_000,
        head: HeadReport(junction: "main-and-5th", group: "north", aspect: .green),
        sentAt: LocalInstant(nanos: 987_654_321_000),
        timebaseAtSend: TimebaseInstant(nanos: 1_700_000_000_099_000_000),
        sourceCoordinatorID: 0xC00D_1A70_0000_0001, sourceTerm: 3,
        drops: [.badTag: 3, .replayed: 1])

    static let bareReport = Report(
        ordinal: 0, instance: 1, board: "", planID: .none, state: .unsynced,
        offsetNanos: 0, errorBoundNanos: .max, head: nil, sentAt: LocalInstant(nanos: 0),
        timebaseAtSend: nil, sourceCoordinatorID: 0, sourceTerm: 0)

    static let hello = Hello(ordinal: 2, instance: 0xA6E7_0000_0000_0007, board: "pi-north-2")

    static let goodbye = Goodbye(
        coordinatorID: 0xC00D_1A70_0000_0001, term: 3, sentAt: TimebaseInstant(nanos: 1_700_000_100_000_000_000))

    /// One of each message type (and both shapes of the optional parts).
    static var allMessages: [(name: String, message: Message)] {
        [
            ("tick-echo", .tick(tickWithEcho)),
            ("tick", .tick(tickWithoutEcho)),
            ("plan", .plan(planChunk)),
            ("report", .report(fullReport)),
            ("report-bare", .report(bareReport)),
            ("hello", .hello(hello)),
            ("goodbye", .goodbye(goodbye)),
        ]
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
