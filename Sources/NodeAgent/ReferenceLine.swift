/// The best current estimate of the raw offset (timebase minus local) as a
/// straight line in local time: `offset(l) = anchorOffsetNanos + frequency · (l - anchorLocalNanos)`.
///
/// The anchor is integer nanoseconds, so evaluating the line days away adds
/// only the `Double` product of a frequency and an `Int64` span: exact to far
/// below a nanosecond for spans of 10^14 ns.
struct ReferenceLine: Sendable, Hashable {
    var anchorLocalNanos: Int64
    var anchorOffsetNanos: Int64
    /// Timebase nanoseconds gained per local nanosecond (0 when the crystals agree).
    var frequency: Double

    func offsetNanos(atLocal localNanos: Int64) -> Int64 {
        anchorOffsetNanos + Int64((frequency * Double(localNanos - anchorLocalNanos)).rounded())
    }
}
