import JunctionCore
import Protocol
import Testing
@testable import Runtime

/// The "received by type" metric reads the type byte of a version-2 header:
/// each message type, sealed by the real codec, is counted under its own
/// kind, and what is not ours is `other`.
@Suite struct DatagramKindTests {
    static let codec = DatagramCodec(key: try! AuthKey(bytes: [UInt8](repeating: 9, count: 32)))

    @Test func everyMessageTypeHasItsKind() throws {
        let plan = PlanRef(id: PlanID(rawValue: 1), anchor: TimebaseInstant(nanos: 0))
        let chunk = try PlanChunk.split(planBytes: [1, 2, 3], id: PlanID(planBytes: [1, 2, 3]), activation: TimebaseInstant(nanos: 0))[0]
        let messages: [(Message, DatagramKind)] = [
            (.tick(Tick(coordinatorID: 1, term: 1, sentAt: TimebaseInstant(nanos: 0), plan: plan, cyclePositionNanos: 0)), .tick),
            (.plan(chunk), .plan),
            (.report(Report(ordinal: 0, instance: 2, board: "", plan: plan, state: .unsynced, offsetNanos: 0, errorBoundNanos: -1,
                            head: nil, sentAt: LocalInstant(nanos: 0), timebaseAtSend: nil, sourceCoordinatorID: 0, sourceTerm: 0)), .report),
            (.hello(Hello(ordinal: 0, instance: 2, board: "b")), .hello),
            (.goodbye(Goodbye(coordinatorID: 1, term: 1, sentAt: TimebaseInstant(nanos: 0))), .goodbye),
            (.solicit(Solicit(coordinatorID: 1, term: 0, nonce: 7)), .solicit),
        ]
        for (message, kind) in messages {
            let bytes = try Self.codec.seal(message, sender: 1, sequence: 1, recipient: 2)
            #expect(DatagramKind(header: bytes) == kind)
        }
        #expect(DatagramKind(header: Array("GET / HTTP/1.1\r\nHost: junction.local\r\n\r\n".utf8)) == .other)
        #expect(DatagramKind(header: [0x4a, 0x4e, 0x43, 0x54, 2, 1]) == .other, "shorter than a header")
    }
}
