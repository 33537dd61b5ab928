import JunctionCore

extension ClockDiscipline {
    /// Feeds one exchange. Validation and the order, delay and offset tests
    /// run first; a rejected sample leaves every estimate exactly as it was.
    /// A run of `restartAfterOutliers` offset outliers means the model, not
    /// the samples, is wrong: the window restarts from the new sample and the
    /// correction is slewed, or stepped beyond `stepThresholdNanos`.
    public mutating func add(_ sample: ClockSample) -> SampleOutcome {
        let validated = ClockMeasurement.validate(
            sample, frequency: reference?.frequency ?? estimator.frequency,
            frequencyUncertainty: uncertaintyRate, configuration: configuration)
        let m: ClockMeasurement
        switch validated {
        case .success(let valid): m = valid
        case .failure(let reason): return reject(reason)
        }
        if let reason = screen(m) { return reject(reason) }
        if isOffsetOutlier(m) {
            consecutiveOutliers += 1
            guard consecutiveOutliers >= configuration.restartAfterOutliers else {
                return reject(.offsetOutlier)
            }
            restartCount += 1
            referenceUncertainty = configuration.maxFrequencyPPM * 1e-6
            estimator.forgetPoints(priorFrequency: frequencyPPM * 1e-6, priorUncertainty: referenceUncertainty)
            window.removeAll()
        }
        consecutiveOutliers = 0
        return accept(m)
    }

    private mutating func reject(_ reason: SampleRejection) -> SampleOutcome {
        rejectedSampleCount += 1
        return .rejected(reason)
    }

    /// Order and delay tests, which need no model.
    private func screen(_ m: ClockMeasurement) -> SampleRejection? {
        if let sent = lastSentLocalNanos, let received = lastReceivedLocalNanos,
           m.sentLocalNanos <= sent || m.receivedLocalNanos < received {
            return .outOfOrder
        }
        if let minDelay = window.lazy.map(\.delayNanos).min(),
           m.delayNanos > minDelay + configuration.delayOutlierNanos {
            return .delayOutlier
        }
        return nil
    }

    /// True when the sample's offset interval (θ ± δ/2) and the mapping's
    /// interval (± a few error bounds) cannot both hold.
    private func isOffsetOutlier(_ m: ClockMeasurement) -> Bool {
        guard let mapping else { return false }
        let mid = m.midLocalNanos
        let predicted = mapping.timebaseNanos(atLocal: mid) &- mid
        let (miss, overflow) = m.offsetNanos.subtractingReportingOverflow(predicted)
        if overflow { return true }
        let allowed = Double(m.delayNanos) / 2
            + Double(m.roundTripNanos) * uncertaintyRate / 2
            + configuration.outlierBoundFactor * Double(errorBoundNanos(at: LocalInstant(nanos: mid)))
            + Double(configuration.outlierMarginNanos)
        return Double(miss.magnitude) > allowed
    }

    private mutating func accept(_ m: ClockMeasurement) -> SampleOutcome {
        window.append(m)
        if window.count > configuration.maxWindowSamples { window.removeFirst() }
        lastSentLocalNanos = m.sentLocalNanos
        lastReceivedLocalNanos = m.receivedLocalNanos
        acceptedSampleCount += 1
        _ = estimator.add(m, configuration: configuration)
        if estimator.blocks.count >= configuration.blocksHeldAfterSwitch { holdsAcrossSwitch = false }
        let envelope = chooseReference(at: m.receivedLocalNanos)
        refreshBound(envelope: envelope)
        if let mapping {
            let mid = m.midLocalNanos
            offsetNanos = m.offsetNanos &- (mapping.timebaseNanos(atLocal: mid) &- mid)
        }
        return correct(at: m.receivedLocalNanos)
    }

    /// The regression once it is sharp; before that the envelope of the recent
    /// samples, which also seeds the regression's frequency; before even that
    /// the single best sample at the prior frequency. Returns the start-up
    /// envelope it fitted, if any, for the error bound.
    private mutating func chooseReference(at now: Int64) -> EnvelopeFit? {
        let maxFrequency = configuration.maxFrequencyPPM * 1e-6
        var best = estimator.combinedLine.map { ($0, estimator.frequencyUncertainty) }
        var startupEnvelope: EnvelopeFit?
        if (best?.1 ?? .infinity) > configuration.envelopeUntilUncertaintyPPM * 1e-6,
           let envelope = EnvelopeFit(samples: window, atLocal: now, maxFrequency: maxFrequency) {
            startupEnvelope = envelope
            if envelope.frequencyUncertainty < best?.1 ?? estimator.frequencyUncertainty {
                best = (envelope.line, envelope.frequencyUncertainty)
                if estimator.fit == nil {
                    estimator.setPrior(frequency: envelope.line.frequency, uncertainty: envelope.frequencyUncertainty)
                }
            }
        }
        if let (line, uncertainty) = best {
            reference = line
            referenceUncertainty = uncertainty
            // Past start-up, the regression's frequency with the offset
            // midway between the newest points' tightest bounds.
            if startupEnvelope == nil, let sharper = estimator.envelopeLine(atLocal: now) {
                reference = sharper
            }
        } else {
            reference = bestSampleLine(at: now)
            referenceUncertainty = estimator.frequencyUncertainty
        }
        return startupEnvelope
    }

    /// Re-anchors the mapping at `now` and steers it to the reference: a step
    /// before lock (or beyond the step threshold), a bounded slew otherwise.
    private mutating func correct(at now: Int64) -> SampleOutcome {
        guard let reference else { return .accepted }
        let target = now &+ reference.offsetNanos(atLocal: now)
        let current = mapping?.timebaseNanos(atLocal: now) ?? now
        let correction = target &- current
        let slewRate = configuration.maxSlewPPM * 1e-6
        if mapping == nil || !isLocked || correction.magnitude > configuration.stepThresholdNanos.magnitude {
            mapping = ClockMapping(
                anchorLocalNanos: now, anchorTimebaseNanos: target,
                frequency: reference.frequency, pendingNanos: 0, slewRate: slewRate)
            if isLocked {
                isLocked = false
                stepCount += 1
            }
            updateLock(at: now)
            return .stepped(byNanos: correction)
        }
        mapping = ClockMapping(
            anchorLocalNanos: now, anchorTimebaseNanos: current,
            frequency: reference.frequency, pendingNanos: holdsAcrossSwitch ? provenCorrection(current, at: now) : correction,
            slewRate: slewRate)
        updateLock(at: now)
        return .accepted
    }

    /// The least correction that puts the held timebase `current` inside the
    /// bounds the new source's samples give at `now` (0 when it is inside).
    private func provenCorrection(_ current: Int64, at now: Int64) -> Int64 {
        guard !window.isEmpty, let reference else { return 0 }
        let (upper, lower) = OffsetBlock.bounds(of: window, atLocal: now, frequency: reference.frequency)
        let offset = current &- now
        if offset > upper { return upper &- offset }
        if offset < lower { return lower &- offset }
        return 0
    }

    private mutating func updateLock(at now: Int64) {
        guard !isLocked, acceptedSampleCount >= configuration.minSamplesToLock,
              estimator.fit != nil,
              referenceUncertainty <= configuration.lockFrequencyUncertaintyPPM * 1e-6
        else { return }
        isLocked = errorBoundNanos(at: LocalInstant(nanos: now)) <= configuration.lockBoundNanos
    }
}
