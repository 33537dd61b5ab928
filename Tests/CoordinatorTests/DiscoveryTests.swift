import JunctionCore
import Testing
@testable import Coordinator

private let s = Int64.nanosPerSecond
private let ms = Int64.nanosPerMillisecond
private let t0 = LocalInstant(nanos: 50 * s)

/// Rule 9 as a pure decision: when adoption may end, and which answers are fresh.
@Suite("Discovery: solicit rounds and the end of adoption")
struct DiscoveryTests {
    @Test func roundsComeEvery50msWithDistinctNonZeroNonces() {
        var d = Discovery<Int>(now: t0, aloneNanos: 2 * s, seed: 0)
        var nonces: [UInt64] = []
        for k in Int64(0)..<100 {
            if let n = d.round(now: t0 + k * 25 * ms, asking: 4) { nonces.append(n) }
        }
        #expect(nonces.count == 50)
        #expect(!nonces.contains(0) && Set(nonces).count == 50)
        // Two coordinators seeded differently issue different nonces.
        var other = Discovery<Int>(now: t0, aloneNanos: 2 * s, seed: 1)
        #expect(other.round(now: t0) != nonces[0])
    }

    /// Each agent's sample is its least delayed answer, so small clusters
    /// are asked often; large ones no more than 2,500 answers per 50 ms,
    /// and never less often than every 200 ms; a standby four times slower.
    @Test func roundsSlowDownWithTheNumberOfAgentsAsked() {
        #expect(Discovery<Int>.roundInterval(agents: 0, standby: false) == 50 * ms)
        #expect(Discovery<Int>.roundInterval(agents: 2_500, standby: false) == 50 * ms)
        #expect(Discovery<Int>.roundInterval(agents: 5_000, standby: false) == 100 * ms)
        #expect(Discovery<Int>.roundInterval(agents: 10_000, standby: false) == 200 * ms)
        #expect(Discovery<Int>.roundInterval(agents: 100_000, standby: false) == 200 * ms)
        #expect(Discovery<Int>.roundInterval(agents: 4, standby: true) == 200 * ms)
        #expect(Discovery<Int>.roundInterval(agents: 10_000, standby: true) == 800 * ms)
        var d = Discovery<Int>(now: t0, aloneNanos: 2 * s, seed: 3)
        _ = d.round(now: t0, asking: 10_000)
        #expect(d.round(now: t0 + 199 * ms, asking: 10_000) == nil)
        #expect(d.round(now: t0 + 200 * ms, asking: 10_000) != nil)
    }

    @Test func aNonceIsFreshForTwoSeconds() {
        var d = Discovery<Int>(now: t0, aloneNanos: 2 * s, seed: 9)
        let n = d.round(now: t0)!
        #expect(d.isFresh(n, now: t0 + 2 * s))
        #expect(!d.isFresh(n, now: t0 + 2 * s + 1))
        #expect(!d.isFresh(0, now: t0))
        #expect(!d.isFresh(n &+ 1, now: t0))
    }

    /// The core asks on every datagram while adopting; it now asks with the
    /// listed set given once per DNS answer and the answers counted as they
    /// come. Both ways must decide alike, whatever the order.
    @Test(arguments: 0..<20)
    func countingAnswersAsTheyComeDecidesAsCountingThemAll(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var d = Discovery<Int>(now: t0, aloneNanos: 2 * s, seed: seed)
        var listed = Set((0..<20).filter { _ in Bool.random(using: &random) })
        d.setListed(listed)
        var now = t0
        for _ in 0..<200 {
            now = now + Int64.random(in: 0..<200, using: &random) * ms
            if Int.random(in: 0..<10, using: &random) == 0 {
                listed = Set((0..<20).filter { _ in Bool.random(using: &random) })
                d.setListed(listed)
            } else {
                d.answered(from: Int.random(in: 0..<25, using: &random), now: now)
            }
            let sample = Bool.random(using: &random)
            #expect(d.decision(now: now, hasSample: sample) == d.decision(now: now, listed: Array(listed), hasSample: sample))
        }
    }

    @Test func quorumIsNinetyPercentRoundedUpAtLeastOne() {
        #expect([0, 1, 2, 9, 10, 11, 100, 10_000].map(Discovery<Int>.quorum(of:)) == [1, 1, 2, 9, 9, 10, 90, 9_000])
    }

    @Test func adoptionEndsAtQuorumAfterOneSecondOfAnswers() {
        let listed = Array(0..<10)
        var d = Discovery<Int>(now: t0, aloneNanos: 2 * s, seed: 1)
        for a in 0..<9 { d.answered(from: a, now: t0 + 100 * ms) }
        #expect(d.decision(now: t0 + 1_099 * ms, listed: listed, hasSample: true) == .wait, "answers collected for 1 s")
        #expect(d.decision(now: t0 + 1_100 * ms, listed: listed, hasSample: true) == .finish)
        #expect(d.decision(now: t0 + 1_100 * ms, listed: listed, hasSample: false) == .finish, "a new cluster: nobody holds a timebase")
    }

    @Test func atTheCapASampleOrAMajorityIsNeeded() {
        let listed = Array(0..<10)
        var few = Discovery<Int>(now: t0, aloneNanos: 2 * s, seed: 1)
        few.answered(from: 3, now: t0 + 1 * s)
        few.answered(from: 99, now: t0 + 1 * s)  // not listed: does not count
        #expect(few.decision(now: t0 + 10 * s - 1, listed: listed, hasSample: true) == .wait)
        #expect(few.decision(now: t0 + 10 * s, listed: listed, hasSample: true) == .finish, "the cap, with a timebase heard")
        #expect(few.decision(now: t0 + 60 * s, listed: listed, hasSample: false) == .wait,
                "one agent without a timebase may be a restarted one while the rest, cut off, hold it")
        var most = few
        for a in 4..<9 { most.answered(from: a, now: t0 + 2 * s) }
        #expect(most.decision(now: t0 + 10 * s, listed: listed, hasSample: false) == .finish, "6 of 10, none holding a timebase")

        let none = Discovery<Int>(now: t0, aloneNanos: 2 * s, seed: 1)
        #expect(none.decision(now: t0 + 3_600 * s, listed: listed, hasSample: false) == .wait, "heard nobody while DNS lists agents: never alone")
        #expect(none.decision(now: t0 + 2 * s - 1, listed: [Int](), hasSample: false) == .wait)
        #expect(none.decision(now: t0 + 2 * s, listed: [Int](), hasSample: false) == .finish, "nobody listed: alone after 2 s")
    }

    @Test func nextDeadlineIsTheNextRoundOrLimit() {
        var d = Discovery<Int>(now: t0, aloneNanos: 2 * s, seed: 1)
        _ = d.round(now: t0)
        #expect(d.nextDeadline(after: t0) == t0 + 50 * ms)
        d.answered(from: 1, now: t0 + 20 * ms)
        _ = d.round(now: t0 + 1_000 * ms)
        #expect(d.nextDeadline(after: t0 + 1_000 * ms) == t0 + 1_020 * ms, "1 s of answers ends before the next round")
    }
}

/// SplitMix64, so a failing seed replays.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
