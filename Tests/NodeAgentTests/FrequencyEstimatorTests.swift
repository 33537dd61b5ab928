import JunctionCore
import Testing
@testable import NodeAgent

/// The settled offset: the regression's frequency, with the offset midway
/// between the tightest one-way bounds of the newest points
/// (`FrequencyEstimator.envelopeLine`).
@Suite struct FrequencyEstimatorTests {
    typealias Truth = EnvelopeFitTests.Truth

    static func settled(_ samples: [ClockMeasurement]) -> FrequencyEstimator {
        var estimator = FrequencyEstimator(maxFrequency: 500e-6)
        for m in samples { _ = estimator.add(m, configuration: .init()) }
        return estimator
    }

    /// 0–10 ms one way and 0–1 ms back, 100 s of exchanges: the envelope's
    /// offset is off by about the smallest delays among hundreds of packets,
    /// where a block's midpoint is off by about a tenth of the jitter.
    @Test(arguments: Array(UInt64(1)...6))
    func theEnvelopeOffsetIsFarInsideTheAsymmetricJitter(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let truth = Truth(c0: 1_700_000_000 * .nanosPerSecond, l0: 5 * .nanosPerSecond,
                          frequency: random.uniform(-450e-6...450e-6))
        let samples = EnvelopeFitTests.samples(
            truth, count: 1_000, spacing: 100 * .nanosPerMillisecond,
            forwardJitter: 10 * .nanosPerMillisecond, backwardJitter: 1 * .nanosPerMillisecond, random: &random)
        let estimator = Self.settled(samples)
        let now = try #require(samples.last).receivedLocalNanos
        let line = try #require(estimator.envelopeLine(atLocal: now))
        #expect(abs(line.offsetNanos(atLocal: now) - truth.offset(atLocal: now)) <= 30 * .nanosPerMicrosecond)
    }

    /// A timebase that jumped puts new lower bounds above old upper ones:
    /// no line fits between them, and the regression's own offset is used.
    @Test func boundsThatCrossGiveNoEnvelope() throws {
        var random = SplitMix64(seed: 7)
        let truth = Truth(c0: 1_700_000_000 * .nanosPerSecond, l0: 5 * .nanosPerSecond, frequency: 0)
        var samples = EnvelopeFitTests.samples(
            truth, count: 400, spacing: 100 * .nanosPerMillisecond,
            forwardJitter: 2 * .nanosPerMillisecond, backwardJitter: 2 * .nanosPerMillisecond, random: &random)
        var jumped = truth
        jumped.c0 += 20 * .nanosPerMillisecond
        jumped.l0 = 0
        let later = EnvelopeFitTests.samples(
            jumped, count: 8, spacing: 100 * .nanosPerMillisecond,
            forwardJitter: 2 * .nanosPerMillisecond, backwardJitter: 2 * .nanosPerMillisecond, random: &random)
        let start = try #require(samples.last).receivedLocalNanos
        samples += later.map { m in
            var shifted = m
            shifted.sentLocalNanos += start
            shifted.receivedLocalNanos += start
            return shifted
        }
        let estimator = Self.settled(samples)
        #expect(estimator.envelopeLine(atLocal: try #require(samples.last).receivedLocalNanos) == nil)
    }
}
