import JunctionCore
import Testing
@testable import Protocol

@Suite struct InboxTests {
    static let now = TimebaseInstant(nanos: 1_700_000_000_000_000_000)

    static func tick(sentAt: TimebaseInstant, sequence: UInt64) -> [UInt8] {
        var tick = Fixtures.tickWithEcho
        tick.sentAt = sentAt
        return try! Fixtures.codec.seal(.tick(tick), sender: 9, sequence: sequence)
    }

    /// Both sides of the 10 s bound, in both directions.
    @Test func staleTicksAreDroppedOnlyWithAnEstimate() {
        var inbox = Inbox(codec: Fixtures.codec)
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
        var inbox = Inbox(codec: Fixtures.codec, maximumSkewNanos: 1000)
        let datagram = Self.tick(sentAt: Self.now, sequence: 1)
        let result1 = inbox.receive(datagram, timebaseEstimate: Self.now + 1001)
        #expect(result1 == .failure(.stale))
        let result2 = inbox.receive(datagram, timebaseEstimate: Self.now + 1000)
        #expect(result2.map(\.sequence) == .success(1))
        let result3 = inbox.receive(datagram, timebaseEstimate: Self.now)
        #expect(result3 == .failure(.replayed))
    }

    @Test func goodbyesAreCheckedForFreshnessButReportsAreNot() throws {
        var inbox = Inbox(codec: Fixtures.codec)
        var goodbye = Fixtures.goodbye
        goodbye.sentAt = Self.now - 60 * .nanosPerSecond
        let oldGoodbye = try Fixtures.codec.seal(.goodbye(goodbye), sender: 3, sequence: 1)
        let result1 = inbox.receive(oldGoodbye, timebaseEstimate: Self.now)
        #expect(result1 == .failure(.stale))
        let report = try Fixtures.codec.seal(.report(Fixtures.fullReport), sender: 4, sequence: 1)
        let result2 = inbox.receive(report, timebaseEstimate: TimebaseInstant(nanos: 0))
        #expect(result2.map(\.senderID) == .success(4))
    }

    @Test func countersAddUp() {
        var inbox = Inbox(codec: Fixtures.codec)
        _ = inbox.receive([1, 2, 3], timebaseEstimate: nil)
        _ = inbox.receive([UInt8](repeating: 0, count: 40), timebaseEstimate: nil)
        inbox.record(.planMismatch)
        #expect(inbox.drops[.tooShort] == 1)
        #expect(inbox.drops[.badMagic] == 1)
        #expect(inbox.drops[.planMismatch] == 1)
        #expect(inbox.drops.total == 3)
        #expect(inbox.drops.description == "too-short=1 bad-magic=1 plan-mismatch=1")
    }
}
