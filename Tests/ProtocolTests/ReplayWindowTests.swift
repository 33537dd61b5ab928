import Testing
@testable import Protocol

@Suite struct ReplayWindowTests {
    /// Offers `sequences` from `sender` in order and says which were admitted.
    static func offer(_ sequences: [UInt64], from sender: UInt64 = 1, to window: inout ReplayWindow) -> [Bool] {
        sequences.map { window.admit(sender: sender, sequence: $0) }
    }

    @Test func acceptsEachSequenceOnce() {
        var window = ReplayWindow()
        let first = Self.offer([10, 10], to: &window)
        let other = Self.offer([10], from: 2, to: &window)
        #expect(first == [true, false])
        #expect(other == [true], "another sender has its own window")
    }

    /// Reordering within 64 is fine; each late one is still accepted once.
    @Test func acceptsReorderingWithinTheWindow() {
        var window = ReplayWindow()
        let late = Array(stride(from: UInt64(99), through: 37, by: -1))
        let newest = Self.offer([100], to: &window)
        let firstTime = Self.offer(late, to: &window)
        let secondTime = Self.offer(late, to: &window)
        #expect(newest == [true])
        #expect(firstTime.allSatisfy { $0 })
        #expect(secondTime.allSatisfy { !$0 })
        // 100 - 64 = 36 is just outside the window.
        #expect(!window.wouldAccept(sender: 1, sequence: 36))
        let outside = Self.offer([36], to: &window)
        #expect(outside == [false])
    }

    /// Both sides of the window edge after a jump, and a jump past the width.
    @Test func slidesOnJumps() {
        var window = ReplayWindow()
        let results = Self.offer([1, 64, 1, 2, 1000, 936, 937, 64, .max, .max], to: &window)
        #expect(results == [
            true, true,
            false,  // 1 was seen (and is at the edge: 64 - 63)
            true,  // 2 is inside and unseen
            true,
            false,  // 1000 - 64 is outside
            true,  // 1000 - 63 is inside and unseen
            false,  // 64 is far outside now
            true, false,
        ])
    }

    @Test func refusalsRecordNothing() {
        var window = ReplayWindow()
        let results = Self.offer([5, 5], to: &window)
        #expect(results == [true, false])
        #expect(window.wouldAccept(sender: 1, sequence: 4))
        #expect(window.trackedSenders == 1)
    }

    @Test func evictsTheLeastRecentlyHeardSender() {
        var window = ReplayWindow(maximumSenders: 3)
        for sender: UInt64 in 1...3 { _ = Self.offer([1], from: sender, to: &window) }
        let refreshOne = Self.offer([2], from: 1, to: &window)  // 1 is now the most recent
        let fourth = Self.offer([1], from: 4, to: &window)  // evicts 2
        #expect(refreshOne == [true] && fourth == [true])
        #expect(window.trackedSenders == 3)
        let one = Self.offer([2], from: 1, to: &window)
        let three = Self.offer([1], from: 3, to: &window)
        let two = Self.offer([1], from: 2, to: &window)
        #expect(one == [false], "sender 1 was kept")
        #expect(three == [false], "sender 3 was kept")
        #expect(two == [true], "sender 2 was forgotten, so its old sequence passes")
    }

    @Test func forgetsOneSenderAndReusesItsPlace() {
        var window = ReplayWindow(maximumSenders: 2)
        _ = Self.offer([5], from: 1, to: &window)
        _ = Self.offer([5], from: 2, to: &window)
        window.forget(sender: 1)
        #expect(window.trackedSenders == 1)
        let three = Self.offer([1], from: 3, to: &window)
        #expect(three == [true])
        let two = Self.offer([5], from: 2, to: &window)
        #expect(two == [false], "room was made by forgetting, so sender 2 was not evicted")
        #expect(window.wouldAccept(sender: 1, sequence: 5), "sender 1 was forgotten")
    }

    /// A coordinator's window: 20,000 agents through the default 16,384
    /// places. The 3,616 heard least recently are evicted; every sender heard
    /// recently, including early ones heard again, still has its replays
    /// refused.
    @Test func twentyThousandSendersKeepTheMostRecent() {
        var window = ReplayWindow()
        #expect(window.maximumSenders == 16_384)
        // Senders 0..<1000 are heard first, then 1000..<16384 fill the window.
        for sender in UInt64(0)..<16_384 { _ = window.admit(sender: sender, sequence: 1) }
        // The first 100 speak again: they become the most recent.
        for sender in UInt64(0)..<100 { _ = window.admit(sender: sender, sequence: 2) }
        for sender in UInt64(16_384)..<20_000 { _ = window.admit(sender: sender, sequence: 1) }
        #expect(window.trackedSenders == 16_384)
        // Evicted: 100..<3716 (3,616 senders, the least recently heard).
        #expect((UInt64(100)..<3716).allSatisfy { window.wouldAccept(sender: $0, sequence: 1) })
        #expect(!window.wouldAccept(sender: 3716, sequence: 1))
        // Kept: the re-heard first 100 and everyone after 3716.
        #expect((UInt64(0)..<100).allSatisfy { !window.wouldAccept(sender: $0, sequence: 2) && !window.wouldAccept(sender: $0, sequence: 1) })
        #expect((UInt64(3716)..<20_000).allSatisfy { !window.wouldAccept(sender: $0, sequence: 1) })
        let replays = (UInt64(19_000)..<20_000).map { window.admit(sender: $0, sequence: 1) }
        #expect(replays.allSatisfy { !$0 })
    }

    /// Eviction costs no scan over the tracked senders: 200,000 new senders
    /// through a full window of 16,384 take far less than a second (a scan
    /// per new sender would be over three billion steps).
    @Test func evictionIsNotAScan() {
        var window = ReplayWindow()
        for sender in UInt64(0)..<16_384 { _ = window.admit(sender: sender, sequence: 1) }
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for sender in UInt64(1 << 32)..<((1 << 32) + 200_000) { _ = window.admit(sender: sender, sequence: 1) }
        }
        #expect(window.trackedSenders == 16_384)
        #expect(!window.wouldAccept(sender: (1 << 32) + 199_999, sequence: 1))
        #expect(window.wouldAccept(sender: (1 << 32) + 183_615, sequence: 1), "evicted: 16,384 newer ones came after it")
        #expect(elapsed < .seconds(3), "200,000 evictions took \(elapsed)")
    }
}
