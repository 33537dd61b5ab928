/// Two kernel clocks read as at one instant.
///
/// Why bracketed: a thread preempted between two clock reads (on a loaded
/// node, for tens of milliseconds) pairs readings taken that far apart, and
/// a receive stamp moved from one clock to the other with that pair is off
/// by as much. Worse, a stamp moved early looks like the network's fastest
/// sample, the kind the clock discipline trusts most. So `CLOCK_MONOTONIC`
/// is read before and after the other clock, and a pair whose brackets are
/// more than `tightNanos` apart is read again (up to 8 times; then the
/// tightest is used).
enum ClockPair {
    /// Brackets wider than this mean the thread was held up between reads
    /// (an uninterrupted pair of reads takes well under a microsecond).
    static let tightNanos: Int64 = 20_000

    /// `other` − `CLOCK_MONOTONIC` at one instant.
    static func differenceFromMonotonic(_ other: () -> Int64, clock: any KernelClocks) -> Int64 {
        var best: (width: Int64, difference: Int64)?
        for _ in 0..<8 {
            let before = clock.monotonicNanos()
            let value = other()
            let after = clock.monotonicNanos()
            let width = after - before
            let difference = value - (before + width / 2)
            if best == nil || width < best!.width { best = (width, difference) }
            if width <= tightNanos { break }
        }
        return best!.difference
    }
}
