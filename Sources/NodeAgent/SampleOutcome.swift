/// What `ClockDiscipline.add(_:)` did with one sample.
public enum SampleOutcome: Sendable, Hashable {
    /// The sample was used; the mapping stays continuous (any correction is slewed).
    case accepted
    /// The sample was not used and the estimate is exactly as before.
    case rejected(SampleRejection)
    /// The sample was used and the mapping `timebase(at:)` jumped by `byNanos`
    /// at the sample's receive instant. This happens on the first sample, on
    /// every correction before lock, and after lock only when the correction
    /// exceeded `Configuration.stepThresholdNanos`; in that last case the
    /// discipline is no longer locked, and the caller must treat anything it
    /// scheduled from the old mapping as void (go to the safe state).
    case stepped(byNanos: Int64)
}

/// Why a sample was not used.
public enum SampleRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// `t4` before `t1`, or instants so far apart that their differences overflow.
    case invalidTimestamps
    /// The tick claims to have been sent (`t3`) before the report arrived (`t2`).
    case negativeHoldTime
    /// The coordinator held the report longer than `Configuration.maxHoldNanos`.
    case holdTooLong
    /// The network delay came out negative beyond what frequency error explains.
    case negativeDelay
    /// The network delay exceeds `Configuration.maxDelayNanos`.
    case delayTooLarge
    /// The delay is far above the recent minimum (a queue, a retransmission).
    case delayOutlier
    /// The offset disagrees with the current model by more than the error
    /// bounds of both allow.
    case offsetOutlier
    /// The echoed report is not newer than the last one used (a duplicate
    /// echo after a lost report, or a reordered packet).
    case outOfOrder

    public var description: String {
        switch self {
        case .invalidTimestamps: "invalid-timestamps"
        case .negativeHoldTime: "negative-hold-time"
        case .holdTooLong: "hold-too-long"
        case .negativeDelay: "negative-delay"
        case .delayTooLarge: "delay-too-large"
        case .delayOutlier: "delay-outlier"
        case .offsetOutlier: "offset-outlier"
        case .outOfOrder: "out-of-order"
        }
    }
}
