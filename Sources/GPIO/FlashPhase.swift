import JunctionCore

/// The phase of the fail-safe flash.
///
/// Why on the timebase: every board computes the same phase from the same
/// timebase instant, so all heads of a junction flash together. A flashing
/// lamp is lit for the first half of each timebase second (1 Hz, 50 %).
public enum FlashPhase {
    public static let periodNanos: Int64 = .nanosPerSecond
    public static let onNanos: Int64 = periodNanos / 2

    /// Whether flashing lamps are lit at `time`.
    public static func isOn(at time: TimebaseInstant) -> Bool {
        floorMod(time.nanos, periodNanos) < onNanos
    }

    /// The lamps `aspect` lights at `time`: steady aspects ignore the time.
    public static func lamps(_ aspect: Aspect, at time: TimebaseInstant) -> Lamps {
        if aspect.isFlashing && !isOn(at: time) { return Lamps() }
        return aspect.lamps
    }

    /// The first instant after `time` where flashing lamps change: the timing
    /// thread's next wake-up while a flashing aspect is shown.
    public static func nextToggle(after time: TimebaseInstant) -> TimebaseInstant {
        let intoHalf = floorMod(time.nanos, onNanos)
        return time + (onNanos - intoHalf)
    }
}
