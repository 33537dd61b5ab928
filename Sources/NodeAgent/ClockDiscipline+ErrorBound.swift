import JunctionCore

extension ClockDiscipline {
    /// An upper bound on |`timebase(at: local)` − true timebase| in nanoseconds;
    /// `Int64.max` before the first sample.
    ///
    /// Every sample pins the true timebase at its midpoint to θ ± δ/2: whatever
    /// the asymmetry, neither one-way delay is negative. The reference line
    /// misses that sample by its residual, and away from it the line can drift
    /// by at most the frequency uncertainty (a multiple of the regression's
    /// standard error) plus `wanderAllowancePPM`, times the distance. The bound
    /// is the smallest such figure over the recent samples, plus the slew the
    /// mapping has still to apply (held after a change of source, its whole
    /// distance from the reference) and `precisionNanos`. With no samples it
    /// grows linearly, so holdover shows in it.
    ///
    /// During start-up the envelope of the samples gives a second bound that
    /// needs no statistics (`EnvelopeFit.errorBound(of:)`); the smaller holds.
    public func errorBoundNanos(at local: LocalInstant) -> Int64 {
        guard let mapping, boundBaseNanos != .max else { return .max }
        let distance = Double((local.nanos &- boundLocalNanos).magnitude)
        var line = Double(boundBaseNanos) + (distance * boundRate).rounded(.up)
        if let envelope = envelopeBound {
            let away = Double((local.nanos &- envelope.local).magnitude)
            line = min(line, Double(envelope.base) + (away * envelope.rate).rounded(.up))
        }
        var apart = Double(mapping.remainingSlewNanos(atLocal: local.nanos).magnitude)
        if holdsAcrossSwitch, let reference {
            // Held after a change of source, the mapping is not steered to
            // the reference: the whole distance between them counts.
            let target = local.nanos &+ reference.offsetNanos(atLocal: local.nanos)
            apart = max(apart, Double((target &- mapping.timebaseNanos(atLocal: local.nanos)).magnitude))
        }
        let total = line + apart
        return total >= 9.2e18 ? .max : Int64(total)
    }

    /// The bound a single sample gives at its own midpoint.
    func sampleBoundNanos(_ m: ClockMeasurement, rate: Double) -> Int64 {
        let delayHalf = (m.delayNanos + 1) / 2
        let frequencyPart = Int64((Double(m.roundTripNanos) * rate / 2).rounded(.up))
        return delayHalf + frequencyPart + Int64(m.residualNanos.magnitude) + configuration.precisionNanos
    }

    /// Recomputes residuals against the reference and picks the sample that
    /// bounds the error best from now on (the smallest bound once carried
    /// forward at the common rate); with the start-up `envelope`, also the
    /// envelope's bound for the same reference.
    mutating func refreshBound(envelope startupEnvelope: EnvelopeFit?) {
        guard let reference, !window.isEmpty else { return }
        let rate = uncertaintyRate
        var bestKey = Double.infinity
        for i in window.indices {
            let mid = window[i].midLocalNanos
            window[i].residualNanos = window[i].offsetNanos &- reference.offsetNanos(atLocal: mid)
            let bound = sampleBoundNanos(window[i], rate: rate)
            let key = Double(bound) - Double(mid &- window[window.count - 1].midLocalNanos) * rate
            if key < bestKey {
                bestKey = key
                boundLocalNanos = mid
                boundBaseNanos = bound
            }
        }
        boundRate = rate
        envelopeBound = startupEnvelope.map { envelope in
            // The envelope holds if the frequency held still over its span:
            // the wander allowance over that span pays for it.
            let wander = configuration.wanderAllowancePPM * 1e-6
            let (base, rate) = envelope.errorBound(of: reference)
            let held = Int64((Double(envelope.spanNanos) * wander).rounded(.up))
            return (envelope.line.anchorLocalNanos, base + held + configuration.precisionNanos, rate + wander)
        }
    }

    /// Before the regression has a frequency: the line through the recent
    /// sample with the smallest bound at `now` (the NTP clock-filter choice),
    /// at the prior frequency.
    func bestSampleLine(at now: Int64) -> ReferenceLine? {
        let rate = uncertaintyRate
        var best: ClockMeasurement?
        var bestBound = Double.infinity
        for m in window {
            var unbiased = m
            unbiased.residualNanos = 0
            let bound = Double(sampleBoundNanos(unbiased, rate: rate))
                + Double((now &- m.midLocalNanos).magnitude) * rate
            if bound < bestBound {
                bestBound = bound
                best = m
            }
        }
        return best.map {
            ReferenceLine(anchorLocalNanos: $0.midLocalNanos, anchorOffsetNanos: $0.offsetNanos,
                          frequency: estimator.frequency)
        }
    }
}
