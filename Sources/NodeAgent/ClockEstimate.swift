import JunctionCore

/// A snapshot of the discipline at one local instant, for reports and metrics.
public struct ClockEstimate: Sendable, Hashable {
    public var local: LocalInstant
    public var timebase: TimebaseInstant
    /// See `ClockDiscipline.errorBoundNanos(at:)`.
    public var errorBoundNanos: Int64
    public var frequencyPPM: Double
    public var frequencyUncertaintyPPM: Double
    /// The last accepted sample's offset from the mapping.
    public var offsetNanos: Int64
    /// Correction still being slewed in at `local`.
    public var remainingSlewNanos: Int64
    public var isLocked: Bool
}

extension ClockDiscipline {
    /// Everything at once at `local`; nil before the first sample.
    public func estimate(at local: LocalInstant) -> ClockEstimate? {
        guard let mapping else { return nil }
        return ClockEstimate(
            local: local,
            timebase: TimebaseInstant(nanos: mapping.timebaseNanos(atLocal: local.nanos)),
            errorBoundNanos: errorBoundNanos(at: local),
            frequencyPPM: frequencyPPM,
            frequencyUncertaintyPPM: frequencyUncertaintyPPM,
            offsetNanos: offsetNanos,
            remainingSlewNanos: mapping.remainingSlewNanos(atLocal: local.nanos),
            isLocked: isLocked(at: local))
    }
}
