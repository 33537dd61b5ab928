/// Count, mean and maximum of a stream of nanosecond values, in constant
/// memory: wake-up lateness and receive-stamp delays for `/metrics`.
public struct RunningStatistics: Sendable, Hashable {
    public private(set) var count: UInt64 = 0
    public private(set) var sumNanos: Double = 0
    public private(set) var maximumNanos: Int64 = 0

    public init() {}

    public mutating func add(_ nanos: Int64) {
        count += 1
        sumNanos += Double(nanos)
        maximumNanos = count == 1 ? nanos : max(maximumNanos, nanos)
    }

    public var meanNanos: Double { count == 0 ? 0 : sumNanos / Double(count) }
}
