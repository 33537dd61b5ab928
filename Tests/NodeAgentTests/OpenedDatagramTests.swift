import JunctionCore
import Protocol
import Testing
@testable import NodeAgent

/// The runtime opens datagrams (HMAC included) before it takes the lock its
/// timing thread needs, and seals after releasing it (issue 12): the core
/// must judge an opened datagram exactly as the bytes, and a send sealed
/// late must be the datagram the core numbered.
@Suite("AgentCore: datagrams opened and sealed outside the core")
struct OpenedDatagramTests {
    static let s = Int64.nanosPerSecond
    static let key = try! AuthKey(bytes: Array(repeating: 0x33, count: 32))
    static let codec = DatagramCodec(key: key)
    static let coordinatorID: UInt64 = 0xC0
    static let instance: UInt64 = 0xA6E7

    static func agent(at now: LocalInstant) -> AgentCore<Int> {
        AgentCore(configuration: AgentConfiguration(ordinal: 0, board: nil, instance: instance, key: key), now: now)
    }

    @Test func anOpenedDatagramIsJudgedAsItsBytes() throws {
        let start = LocalInstant(nanos: 5 * Self.s)
        let tick = Tick(coordinatorID: Self.coordinatorID, term: 1, sentAt: TimebaseInstant(nanos: 9 * Self.s),
                        plan: PlanRef(id: PlanID(rawValue: 7), anchor: TimebaseInstant(nanos: 0)), cyclePositionNanos: 0, echo: nil)
        let good = try Self.codec.seal(.tick(tick), sender: Self.coordinatorID, sequence: 1, recipient: Self.instance)
        var tampered = try Self.codec.seal(.tick(tick), sender: Self.coordinatorID, sequence: 2, recipient: Self.instance)
        tampered[40] ^= 0x01
        let misaddressed = try Self.codec.seal(.tick(tick), sender: Self.coordinatorID, sequence: 3, recipient: Self.instance + 1)
        // The good one twice: the second is a replay, refused by the core's
        // inbox whichever way it arrives.
        let inputs = [good, tampered, misaddressed, good, [1, 2, 3]]
        var byBytes = Self.agent(at: start)
        var byOpened = Self.agent(at: start)
        for (i, bytes) in inputs.enumerated() {
            let now = start + Int64(i) * 10_000_000
            let a = byBytes.handle(.datagram(bytes, from: 100), now: now)
            let b = byOpened.handle(.opened(Self.codec.open(bytes), from: 100), now: now)
            #expect(a.aspect == b.aspect)
            #expect(a.wakeAt == b.wakeAt)
            #expect(a.notes == b.notes)
            let sentA = a.sends.map { $0.bytes }, sentB = b.sends.map { $0.bytes }
            #expect(sentA == sentB)
        }
        #expect(byBytes.inbox.drops == byOpened.inbox.drops)
        #expect(byOpened.inbox.drops[.replayed] == 1 && byOpened.inbox.drops[.badTag] == 1
                && byOpened.inbox.drops[.misaddressed] == 1 && byOpened.inbox.drops[.tooShort] == 1,
                "\(byOpened.inbox.drops)")
        #expect(byBytes.counters == byOpened.counters)
    }

    @Test func aSendIsNumberedWhenMadeAndSealedWhenRead() throws {
        let start = LocalInstant(nanos: 5 * Self.s)
        var agent = Self.agent(at: start)
        let first = agent.handle(.timer, now: start).sends
        let second = agent.handle(.timer, now: start + 1 * Self.s).sends
        let sends = first + second
        #expect(sends.count == 2)
        var sequences: [UInt64] = []
        for send in sends {
            // Read twice: the same datagram, the same number.
            #expect(send.bytes == send.bytes)
            guard case let .success(envelope) = Self.codec.open(send.bytes) else {
                Issue.record("a send does not open with the agent's key")
                continue
            }
            #expect(envelope.senderID == Self.instance && envelope.sequence == send.sequenceNumber)
            sequences.append(envelope.sequence)
        }
        #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count, "numbered in order of making: \(sequences)")
    }
}
