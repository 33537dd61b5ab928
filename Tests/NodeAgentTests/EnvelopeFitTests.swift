import JunctionCore
import Testing
@testable import NodeAgent

/// The start-up envelope claims, without statistics, where the true offset
/// and frequency lie; the error bound trusts those claims before the
/// regression has enough points, so they must hold for every sample set.
@Suite struct EnvelopeFitTests {
    /// Exchanges over a timebase `offset(l) = c0 + f · (l − l0)` of the local
    /// clock, with one-way delays of a base plus uniform (asymmetric) jitter:
    /// exact by construction, so any miss is the fit's.
    struct Truth {
        var c0: Int64
        var l0: Int64
        var frequency: Double
        func offset(atLocal l: Int64) -> Int64 { c0 + Int64((frequency * Double(l - l0)).rounded()) }
    }

    static func samples(_ truth: Truth, count: Int, spacing: Int64, forwardJitter: Int64, backwardJitter: Int64,
                        random: inout SplitMix64) -> [ClockMeasurement] {
        var result: [ClockMeasurement] = []
        var t1 = truth.l0
        for _ in 0..<count {
            t1 += spacing / 2 + random.below(orEqual: spacing)
            let base: Int64 = 120 * .nanosPerMicrosecond
            let received = t1 + base + random.below(orEqual: forwardJitter)
            let sent = received + random.below(orEqual: 2 * .nanosPerMillisecond)
            let t4 = sent + base + random.below(orEqual: backwardJitter)
            let sample = ClockSample(
                t1: LocalInstant(nanos: t1), t2: TimebaseInstant(nanos: received + truth.offset(atLocal: received)),
                t3: TimebaseInstant(nanos: sent + truth.offset(atLocal: sent)), t4: LocalInstant(nanos: t4))
            if case let .success(m) = ClockMeasurement.validate(
                sample, frequency: 0, frequencyUncertainty: 500e-6, configuration: .init()) {
                result.append(m)
            }
        }
        return result
    }

    @Test func theTruthIsAlwaysInsideTheEnvelopesClaims() {
        var fits = 0
        for seed in UInt64(1)...400 {
            var random = SplitMix64(seed: seed)
            let truth = Truth(c0: 1_700_000_000 * .nanosPerSecond + random.below(orEqual: 1 << 40),
                              l0: 5 * .nanosPerSecond, frequency: random.uniform(-450e-6...450e-6))
            let window = Self.samples(
                truth, count: 4 + Int(random.below(orEqual: 60)), spacing: 25 * .nanosPerMillisecond,
                forwardJitter: random.below(orEqual: 5 * .nanosPerMillisecond),
                backwardJitter: random.below(orEqual: 5 * .nanosPerMillisecond), random: &random)
            guard let last = window.last else { continue }
            let now = last.receivedLocalNanos + random.below(orEqual: 100 * .nanosPerMillisecond)
            guard let fit = EnvelopeFit(samples: window, atLocal: now, maxFrequency: 500e-6) else { continue }
            fits += 1
            #expect(fit.offsetRangeAtNow.contains(truth.offset(atLocal: now)), "seed \(seed): offset outside the hull")
            #expect(fit.slowest < truth.frequency && truth.frequency < fit.fastest, "seed \(seed): frequency outside")
            // The bound of any line (the fit's own, and lines off by up to
            // 2 ms and 300 ppm) covers its true error now and later.
            for k in 0..<4 {
                var line = fit.line
                if k > 0 {
                    line.anchorOffsetNanos += Int64(random.below(orEqual: 4 * .nanosPerMillisecond)) - 2 * .nanosPerMillisecond
                    line.frequency += random.uniform(-300e-6...300e-6)
                }
                let (base, rate) = fit.errorBound(of: line)
                for ahead in [Int64(0), .nanosPerSecond, 20 * .nanosPerSecond] {
                    let at = now + ahead
                    let error = abs(line.offsetNanos(atLocal: at) - truth.offset(atLocal: at))
                    let bound = base + Int64((Double(ahead) * rate).rounded(.up)) + 1
                    #expect(error <= bound, "seed \(seed) line \(k): error \(error) ns over bound \(bound) ns \(ahead) ns ahead")
                }
            }
        }
        #expect(fits > 300)
    }

    /// The hull is what makes a start-up bound small: with a second of
    /// samples at 0–2 ms jitter it is well under the 700 µs lock bound.
    @Test func aSecondOfSamplesBoundsTheOffsetTightly() {
        var random = SplitMix64(seed: 7)
        let truth = Truth(c0: 1_700_000_000 * .nanosPerSecond, l0: 5 * .nanosPerSecond, frequency: 150e-6)
        let window = Self.samples(truth, count: 40, spacing: 25 * .nanosPerMillisecond,
                                  forwardJitter: 2 * .nanosPerMillisecond, backwardJitter: 2 * .nanosPerMillisecond,
                                  random: &random)
        let now = window.last!.receivedLocalNanos
        let fit = EnvelopeFit(samples: window, atLocal: now, maxFrequency: 500e-6)!
        let (base, _) = fit.errorBound(of: fit.line)
        #expect(base < 400 * .nanosPerMicrosecond, "start-up bound \(base) ns")
    }
}
