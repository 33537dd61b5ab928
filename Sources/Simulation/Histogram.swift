/// Non-negative nanosecond values in bounded memory: 1 µs bins up to 10 ms,
/// 100 µs bins up to 1 s, then one overflow bin; the maximum is exact.
public struct Histogram: Sendable {
    private var fine = [UInt64](repeating: 0, count: 10_000)
    private var coarse = [UInt64](repeating: 0, count: 9_900)
    private var overflow: UInt64 = 0
    public private(set) var count: UInt64 = 0
    public private(set) var maxNanos: Int64 = 0

    public init() {}

    public mutating func record(_ nanos: Int64) {
        let v = max(nanos, 0)
        count += 1
        maxNanos = max(maxNanos, v)
        if v < 10_000_000 {
            fine[Int(v / 1_000)] += 1
        } else if v < 1_000_000_000 {
            coarse[Int((v - 10_000_000) / 100_000)] += 1
        } else {
            overflow += 1
        }
    }

    /// The value at quantile q (0...1), as the upper edge of its bin and never
    /// above the exact maximum; 0 when empty.
    public func quantile(_ q: Double) -> Int64 {
        guard count > 0 else { return 0 }
        let target = UInt64((Double(count) * q).rounded(.up))
        var seen: UInt64 = 0
        for (i, n) in fine.enumerated() {
            seen += n
            if seen >= max(target, 1) { return min(Int64(i + 1) * 1_000, maxNanos) }
        }
        for (i, n) in coarse.enumerated() {
            seen += n
            if seen >= target { return min(10_000_000 + Int64(i + 1) * 100_000, maxNanos) }
        }
        return maxNanos
    }
}
