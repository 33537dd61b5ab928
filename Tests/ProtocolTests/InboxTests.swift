import JunctionCore
import Testing
@testable import Protocol

@Suite struct InboxTests {
    static let now = TimebaseInstant(nanos: 1_700_000_000_000_000_000)
    static let agentA: UInt64 = 0xA6E7_0000_0000_000A
    static let agentB: UInt64 = 0xA6E7_0000_0000_000B
    static let coordinatorA: UInt64 = 0xC00D_0000_0000_000A
    static let coordinatorB: UInt64 = 0xC00D_0000_0000_000B

    static func tick(sentAt: TimebaseInstant, sequence: UInt64, to recipient: UInt64 = agentA) -> [UInt8] {
        var tick = Fixtures.tickWithEcho
        tick.sentAt = sentAt
        return try! Fixtures.codec.seal(.tick(tick), sender: 9, sequence: sequence, recipient: recipient)
    }

    /// Both sides of the 10 s bound, in both directions.
    @Test func staleTicksAreDroppedOnlyWithAnEstimate() {
        var inbox = Inbox(codec: Fixtures.codec, localID: Self.agentA)
        let bound = Inbox.defaultMaximumSkewNanos
        let result1 = inbox.receive(Self.tick(sentAt: Self.now - bound, sequence: 1), timebaseEstimate: Self.now)
        #expect(result1.map(\.sequence) == .success(1))
        let result2 = inbox.receive(Self.tick(sentAt: Self.now + bound, sequence: 2), timebaseEstimate: Self.now)
        #expect(result2.map(\.sequence) == .success(2))
        let result3 = inbox.receive(Self.tick(sentAt: Self.now - (bound + 1), sequence: 3), timebaseEstimate: Self.now)
        #expect(result3 == .failure(.stale))
        let result4 = inbox.receive(Self.tick(sentAt: Self.now + (bound + 1), sequence: 4), timebaseEstimate: Self.now)
        #expect(result4 == .failure(.stale))
        let result5 = inbox.receive(Self.tick(sentAt: TimebaseInstant(nanos: .min), sequence: 5), timebaseEstimate: Self.now)
        #expect(result5 == .failure(.stale))
        #expect(inbox.drops[.stale] == 3)
        // Without an estimate there is nothing to compare with.
        let result6 = inbox.receive(Self.tick(sentAt: TimebaseInstant(nanos: 0), sequence: 6), timebaseEstimate: nil)
        #expect(result6.map(\.sequence) == .success(6))
    }

    /// A stale tick does not use up its sequence number.
    @Test func staleDropsDoNotEnterTheReplayWindow() {
        var inbox = Inbox(codec: Fixtures.codec, localID: Self.agentA, maximumSkewNanos: 1000)
        let datagram = Self.tick(sentAt: Self.now, sequence: 1)
        let result1 = inbox.receive(datagram, timebaseEstimate: Self.now + 1001)
        #expect(result1 == .failure(.stale))
        let result2 = inbox.receive(datagram, timebaseEstimate: Self.now + 1000)
        #expect(result2.map(\.sequence) == .success(1))
        let result3 = inbox.receive(datagram, timebaseEstimate: Self.now)
        #expect(result3 == .failure(.replayed))
    }

    @Test func goodbyesAreCheckedForFreshnessButReportsAreNot() throws {
        var inbox = Inbox(codec: Fixtures.codec, localID: Self.agentA)
        var goodbye = Fixtures.goodbye
        goodbye.sentAt = Self.now - 60 * .nanosPerSecond
        let oldGoodbye = try Fixtures.codec.seal(.goodbye(goodbye), sender: 3, sequence: 1, recipient: Self.agentA)
        let result1 = inbox.receive(oldGoodbye, timebaseEstimate: Self.now)
        #expect(result1 == .failure(.stale))
        let report = try Fixtures.codec.seal(.report(Fixtures.fullReport), sender: 4, sequence: 1, recipient: Self.agentA)
        let result2 = inbox.receive(report, timebaseEstimate: TimebaseInstant(nanos: 0))
        #expect(result2.map(\.senderID) == .success(4))
    }

    @Test func countersAddUp() {
        var inbox = Inbox(codec: Fixtures.codec, localID: Self.agentA)
        _ = inbox.receive([1, 2, 3], timebaseEstimate: nil)
        _ = inbox.receive([UInt8](repeating: 0, count: 40), timebaseEstimate: nil)
        inbox.record(.planMismatch)
        #expect(inbox.drops[.tooShort] == 1)
        #expect(inbox.drops[.badMagic] == 1)
        #expect(inbox.drops[.planMismatch] == 1)
        #expect(inbox.drops.total == 3)
        #expect(inbox.drops.description == "too-short=1 bad-magic=1 plan-mismatch=1")
    }

    // MARK: Recipient binding

    /// 30 of 30 fresh, authentic ticks addressed to agent A are refused by
    /// agent B's inbox, and each still reaches A afterwards (B's refusals
    /// used up nothing, and A's inbox is its own).
    @Test func ticksForAnotherAgentAreMisaddressed() {
        var inboxA = Inbox(codec: Fixtures.codec, localID: Self.agentA)
        var inboxB = Inbox(codec: Fixtures.codec, localID: Self.agentB)
        let ticks = (1...30).map { Self.tick(sentAt: Self.now + Int64($0) * 100 * .nanosPerMillisecond, sequence: UInt64($0)) }
        let atB = ticks.map { inboxB.receive($0, timebaseEstimate: Self.now) }
        #expect(atB.allSatisfy { $0 == .failure(.misaddressed) })
        #expect(inboxB.drops[.misaddressed] == 30 && inboxB.drops.total == 30)
        #expect(inboxB.replayWindow.trackedSenders == 0)
        let atA = ticks.map { inboxA.receive($0, timebaseEstimate: Self.now) }
        #expect(atA.map { $0.map(\.recipientID) } == Array(repeating: .success(Self.agentA), count: 30))
    }

    /// A report addressed to coordinator A is refused by coordinator B, even
    /// a discovery-style report type that could go unaddressed.
    @Test func reportsForAnotherCoordinatorAreMisaddressed() throws {
        let report = try Fixtures.codec.seal(.report(Fixtures.fullReport), sender: Fixtures.agentInstance, sequence: 1,
                                             recipient: Self.coordinatorA)
        var coordinatorB = Inbox(codec: Fixtures.codec, localID: Self.coordinatorB)
        #expect(coordinatorB.receive(report, timebaseEstimate: nil) == .failure(.misaddressed))
        var coordinatorA = Inbox(codec: Fixtures.codec, localID: Self.coordinatorA)
        #expect(coordinatorA.receive(report, timebaseEstimate: nil).map(\.recipientID) == .success(Self.coordinatorA))
    }

    /// Recipient 0 ("any") is accepted for hello, report and solicit, and
    /// refused for the types that steer one agent: tick, plan chunk, goodbye.
    @Test(arguments: Fixtures.allMessages.map(\.name))
    func onlySomeTypesMayBeUnaddressed(name: String) throws {
        let (message, _) = Fixtures.entry(name)
        var fresh = message
        if case var .tick(tick) = message {  // ticks and goodbyes fresh for the estimate below
            tick.sentAt = Self.now
            fresh = .tick(tick)
        } else if case var .goodbye(goodbye) = message {
            goodbye.sentAt = Self.now
            fresh = .goodbye(goodbye)
        }
        let datagram = try Fixtures.codec.seal(fresh, sender: 77, sequence: 1, recipient: 0)
        var inbox = Inbox(codec: Fixtures.codec, localID: Self.agentA)
        let result = inbox.receive(datagram, timebaseEstimate: Self.now)
        switch message {
        case .hello, .report, .solicit: #expect(result.map(\.recipientID) == .success(0))
        case .tick, .plan, .goodbye: #expect(result == .failure(.misaddressed))
        }
    }

    /// A misaddressed datagram does not use up its sequence number, and an
    /// inbox whose own id is 0 still refuses unaddressed ticks.
    @Test func misaddressedDropsDoNotEnterTheReplayWindow() {
        var inbox = Inbox(codec: Fixtures.codec, localID: Self.agentB)
        let forA = Self.tick(sentAt: Self.now, sequence: 1)
        let forB = Self.tick(sentAt: Self.now, sequence: 1, to: Self.agentB)
        #expect(inbox.receive(forA, timebaseEstimate: Self.now) == .failure(.misaddressed))
        #expect(inbox.receive(forB, timebaseEstimate: Self.now).map(\.sequence) == .success(1))
        #expect(inbox.receive(forB, timebaseEstimate: Self.now) == .failure(.replayed))
        var nobody = Inbox(codec: Fixtures.codec, localID: 0)
        #expect(nobody.receive(Self.tick(sentAt: Self.now, sequence: 2, to: 0), timebaseEstimate: Self.now) == .failure(.misaddressed))
    }

    /// Checks run freshness, then recipient, then replay: a stale tick for
    /// another agent is counted as stale.
    @Test func freshnessIsCheckedBeforeTheRecipient() {
        var inbox = Inbox(codec: Fixtures.codec, localID: Self.agentB)
        let staleForA = Self.tick(sentAt: Self.now - 11 * .nanosPerSecond, sequence: 1)
        #expect(inbox.receive(staleForA, timebaseEstimate: Self.now) == .failure(.stale))
    }

    /// The golden tick-echo vector is addressed to the fixture agent: that
    /// agent's inbox takes it, any other agent's refuses it.
    @Test func goldenTickIsBoundToItsAgent() throws {
        let vector = try #require(GoldenVectorTests.vectors.first { $0.name == "tick-echo" })
        let bytes = Hex.decode(vector.hex)
        var other = Inbox(codec: Fixtures.codec, localID: Fixtures.agentInstance + 1)
        #expect(other.receive(bytes, timebaseEstimate: nil) == .failure(.misaddressed))
        var own = Inbox(codec: Fixtures.codec, localID: Fixtures.agentInstance)
        #expect(own.receive(bytes, timebaseEstimate: nil).map(\.message) == .success(.tick(Fixtures.tickWithEcho)))
    }

    /// In insecure mode nothing stops a changed recipient, but the inbox
    /// still refuses what is not addressed to it.
    @Test func insecureInboxesStillBindTheRecipient() throws {
        var datagram = try Fixtures.insecureCodec.seal(.tick(Fixtures.tickWithEcho), sender: 1, sequence: 1, recipient: Self.agentA)
        datagram[Wire.recipientOffset + 7] ^= 0x01
        var inboxA = Inbox(codec: Fixtures.insecureCodec, localID: Self.agentA)
        #expect(inboxA.receive(datagram, timebaseEstimate: nil) == .failure(.misaddressed))
    }
}
