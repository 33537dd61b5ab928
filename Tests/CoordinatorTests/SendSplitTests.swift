import Testing
import Coordinator

/// A round is shared between the shell's sending threads only when it is
/// large, and every datagram is in exactly one run, in order.
@Suite struct SendSplitTests {
    @Test(arguments: [0, 1, 16, SendSplit.twoThreadsFrom - 1])
    func aSmallRoundIsOneRun(count: Int) {
        let runs = SendSplit.runs(count: count)
        #expect(runs == (count == 0 ? [] : [0..<count]))
    }

    @Test(arguments: [SendSplit.twoThreadsFrom, SendSplit.twoThreadsFrom + 1, 10_000, 10_001])
    func aLargeRoundIsTwoRunsCoveringEveryDatagramOnce(count: Int) {
        let runs = SendSplit.runs(count: count)
        #expect(runs.count == 2)
        #expect(runs.first?.lowerBound == 0)
        #expect(runs.last?.upperBound == count)
        #expect(runs[0].upperBound == runs[1].lowerBound)
        // Halves: the last tick leaves after about half the round.
        #expect(abs(runs[0].count - runs[1].count) <= 1)
    }
}
