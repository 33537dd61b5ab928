import JunctionCore
import Posix

/// The agent's view of its own clock: `CLOCK_MONOTONIC`, optionally skewed.
///
/// Why a skew: `--clock-drift-ppm` is a testing aid. Boards' oscillators
/// disagree by tens of ppm, but processes on one machine share one clock, so
/// multi-process tests and `junction simulate` skew each agent's view to
/// prove the discipline really corrects drift. A skew of `ppm` makes the
/// local clock run `ppm` millionths fast from the moment the agent started.
/// With 0 (production) it is the plain monotonic clock.
public struct AgentClock: Sendable {
    public let driftPPM: Double
    /// The raw monotonic instant where the skewed and raw clocks agree.
    public let originNanos: Int64
    private let raw: MonotonicClock

    public init(driftPPM: Double = 0, raw: MonotonicClock = MonotonicClock()) {
        self.driftPPM = driftPPM
        self.raw = raw
        originNanos = raw.nowNanos()
    }

    /// The raw monotonic reading and the local instant it maps to.
    public func reading() -> (rawNanos: Int64, local: LocalInstant) {
        let raw = raw.nowNanos()
        return (raw, local(fromRaw: raw))
    }

    /// The local instant now.
    public func now() -> LocalInstant { local(fromRaw: raw.nowNanos()) }

    /// A raw `CLOCK_MONOTONIC` reading (a receive stamp) on the local clock.
    public func local(fromRaw rawNanos: Int64) -> LocalInstant {
        guard driftPPM != 0 else { return LocalInstant(nanos: rawNanos) }
        let elapsed = rawNanos - originNanos
        return LocalInstant(nanos: rawNanos + Int64((Double(elapsed) * driftPPM / 1e6).rounded()))
    }

    /// The raw monotonic instant at which the local clock reads `local`.
    public func raw(at local: LocalInstant) -> Int64 {
        guard driftPPM != 0 else { return local.nanos }
        let elapsed = local.nanos - originNanos
        return originNanos + Int64((Double(elapsed) / (1 + driftPPM / 1e6)).rounded(.up))
    }

    /// Sleeps (`clock_nanosleep`, absolute) until the local clock reads `local`.
    public func sleep(until local: LocalInstant) { raw.sleep(untilNanos: raw(at: local)) }
}
