/// An instant on the coordinator timebase: nanoseconds since the Unix epoch as
/// the cluster agrees on it. Plans are anchored on this scale, so every board
/// computes the same cycle position from the same instant.
public struct TimebaseInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanos: Int64
    public init(nanos: Int64) { self.nanos = nanos }
    public static func < (a: Self, b: Self) -> Bool { a.nanos < b.nanos }
    public static func + (a: Self, nanos: Int64) -> Self { Self(nanos: a.nanos &+ nanos) }
    public static func - (a: Self, nanos: Int64) -> Self { Self(nanos: a.nanos &- nanos) }
    /// The signed distance `a - b` in nanoseconds.
    public static func - (a: Self, b: Self) -> Int64 { a.nanos &- b.nanos }
    public var description: String { "tb:\(nanos)" }
}

/// An instant on one board's own monotonic clock (CLOCK_MONOTONIC). It is a
/// different type from `TimebaseInstant` on purpose: mixing the two is the
/// classic lockstep bug, and the compiler should catch it.
public struct LocalInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanos: Int64
    public init(nanos: Int64) { self.nanos = nanos }
    public static func < (a: Self, b: Self) -> Bool { a.nanos < b.nanos }
    public static func + (a: Self, nanos: Int64) -> Self { Self(nanos: a.nanos &+ nanos) }
    public static func - (a: Self, nanos: Int64) -> Self { Self(nanos: a.nanos &- nanos) }
    /// The signed distance `a - b` in nanoseconds.
    public static func - (a: Self, b: Self) -> Int64 { a.nanos &- b.nanos }
    public var description: String { "local:\(nanos)" }
}

/// Nanosecond constants, so that durations read as `3 * .nanosPerSecond`.
public extension Int64 {
    static let nanosPerMicrosecond: Int64 = 1_000
    static let nanosPerMillisecond: Int64 = 1_000_000
    static let nanosPerSecond: Int64 = 1_000_000_000
}

/// Floor modulo: the result is always in `0..<divisor` for a positive divisor,
/// also for negative dividends (instants before the plan's anchor).
@inlinable
public func floorMod(_ value: Int64, _ divisor: Int64) -> Int64 {
    let r = value % divisor
    return r < 0 ? r + divisor : r
}
