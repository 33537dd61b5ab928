import JunctionCore

/// A validated sample in the form the filters use: two one-way observations
/// of the raw offset (timebase minus local), each off by its own path delay.
///
/// `forwardNanos = t2 - t1` is the offset at `t1` plus the forward delay, so
/// the true offset at `t1` is at most it; `backwardNanos = t3 - t4` is the
/// offset at `t4` minus the backward delay, so the true offset at `t4` is at
/// least it. Raw offsets are about 1.7e18 ns (epoch minus uptime) and stay in
/// `Int64`; only small differences ever become `Double`.
struct ClockMeasurement: Sendable, Hashable {
    var sentLocalNanos: Int64
    var receivedLocalNanos: Int64
    var forwardNanos: Int64
    var backwardNanos: Int64
    /// Round-trip delay without the hold, corrected by the frequency estimate.
    var delayNanos: Int64
    /// Offset minus the reference line at `midLocalNanos`; refreshed on every refit.
    var residualNanos: Int64 = 0

    /// Local round trip `t4 - t1`, hold included.
    var roundTripNanos: Int64 { receivedLocalNanos - sentLocalNanos }

    /// The local instant the offset refers to: for a locally linear timebase
    /// the mean of `T(t1)` and `T(t4)` is `T` at the local midpoint.
    var midLocalNanos: Int64 { sentLocalNanos + roundTripNanos / 2 }

    /// θ = ((t2 - t1) + (t3 - t4)) / 2, the classic NTP offset, at the midpoint.
    /// `forward - backward` is round trip minus hold, small, so this never overflows.
    var offsetNanos: Int64 { backwardNanos + (forwardNanos - backwardNanos) / 2 }

    /// Checks the timestamps and derives the delay with `frequency` (timebase
    /// nanoseconds per local nanosecond, minus one) and its uncertainty.
    static func validate(
        _ s: ClockSample, frequency: Double, frequencyUncertainty: Double,
        configuration c: ClockDiscipline.Configuration
    ) -> Result<ClockMeasurement, SampleRejection> {
        let (roundTrip, o1) = s.t4.nanos.subtractingReportingOverflow(s.t1.nanos)
        let (hold, o2) = s.t3.nanos.subtractingReportingOverflow(s.t2.nanos)
        let (forward, o3) = s.t2.nanos.subtractingReportingOverflow(s.t1.nanos)
        let (backward, o4) = s.t3.nanos.subtractingReportingOverflow(s.t4.nanos)
        guard !(o1 || o2 || o3 || o4), roundTrip >= 0 else { return .failure(.invalidTimestamps) }
        guard hold >= 0 else { return .failure(.negativeHoldTime) }
        guard hold <= c.maxHoldNanos else { return .failure(.holdTooLong) }
        guard roundTrip <= c.maxHoldNanos + c.maxDelayNanos else { return .failure(.delayTooLarge) }
        let delay = roundTrip + Int64((Double(roundTrip) * frequency).rounded()) - hold
        let slack = Int64((Double(roundTrip) * frequencyUncertainty).rounded(.up)) + c.precisionNanos
        guard delay >= -slack else { return .failure(.negativeDelay) }
        guard delay <= c.maxDelayNanos else { return .failure(.delayTooLarge) }
        return .success(ClockMeasurement(
            sentLocalNanos: s.t1.nanos, receivedLocalNanos: s.t4.nanos,
            forwardNanos: forward, backwardNanos: backward, delayNanos: max(delay, 0)))
    }
}
