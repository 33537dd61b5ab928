import JunctionCore
import Posix

/// The agent's view of its own clock: `CLOCK_MONOTONIC_RAW`, optionally
/// skewed.
///
/// Why raw: the clock discipline models a crystal (an offset, a rate that
/// wanders by a few ppm) and bounds its error on that model. An NTP daemon
/// on the node slews `CLOCK_MONOTONIC` by up to 83,333 ppm (chrony's default
/// `maxslewrate`) for seconds at a time; disciplining that clock would make
/// the error bound a lie by tens of milliseconds. `CLOCK_MONOTONIC_RAW` is
/// never slewed, so the bound stays honest whatever the node's NTP does, and
/// no head has to flash for it (the other choice, widening the bound while
/// the rates differ, would flash every head on a node whose chrony slews).
/// The price is paid at sleep time: `clock_nanosleep` cannot sleep on the
/// raw clock, so each sleep maps the raw deadline to `CLOCK_MONOTONIC` from a
/// fresh pair of readings and sleeps a little short, re-checking, so a slew
/// during the sleep cannot make the wake-up late (see `sleep(until:)`).
///
/// Why a skew: `--clock-drift-ppm` is a testing aid. Boards' oscillators
/// disagree by tens of ppm, but processes on one machine share one clock, so
/// multi-process tests and `junction simulate` skew each agent's view to
/// prove the discipline really corrects drift. A skew of `ppm` makes the
/// local clock run `ppm` millionths fast from the moment the agent started.
/// With 0 (production) it is the plain raw clock.
public struct AgentClock: Sendable {
    public let driftPPM: Double
    /// The raw instant where the skewed and raw clocks agree.
    public let originNanos: Int64
    let kernel: any KernelClocks
    public init(driftPPM: Double = 0, kernel: any KernelClocks = MonotonicClock()) {
        self.driftPPM = driftPPM
        self.kernel = kernel
        originNanos = kernel.rawNanos()
    }

    /// A `CLOCK_MONOTONIC` reading and the local instant at the same moment:
    /// processes on one machine share the monotonic clock, so `/status`
    /// compares agents' timebases against it.
    public func reading() -> (monotonicNanos: Int64, local: LocalInstant) {
        let raw = kernel.rawNanos()
        return (kernel.monotonicNanos(), local(fromRaw: raw))
    }

    /// The local instant now.
    public func now() -> LocalInstant { local(fromRaw: kernel.rawNanos()) }

    /// A raw reading (a receive stamp) on the local clock.
    public func local(fromRaw rawNanos: Int64) -> LocalInstant {
        guard driftPPM != 0 else { return LocalInstant(nanos: rawNanos) }
        let elapsed = rawNanos - originNanos
        return LocalInstant(nanos: rawNanos + Int64((Double(elapsed) * driftPPM / 1e6).rounded()))
    }

    /// The raw instant at which the local clock reads `local`.
    public func raw(at local: LocalInstant) -> Int64 {
        guard driftPPM != 0 else { return local.nanos }
        let elapsed = local.nanos - originNanos
        return originNanos + Int64((Double(elapsed) / (1 + driftPPM / 1e6)).rounded(.up))
    }

    /// When a datagram arrived, on the local clock.
    public func arrival(of datagram: ReceivedDatagram) -> LocalInstant {
        local(fromRaw: ReceiveTime.rawNanos(of: datagram, clock: kernel))
    }

    /// Sleeps until the local clock reads `local` (`RawClockSleep`: a slew
    /// of `CLOCK_MONOTONIC` during the sleep cannot make the wake-up late).
    public func sleep(until local: LocalInstant) {
        RawClockSleep.sleep(untilRawNanos: raw(at: local), kernel: kernel)
    }

    /// Reads the raw clock until the local clock reads `local`, without
    /// sleeping: no timer slack and no scheduler wake-up stand between the
    /// instant and the return. For the last few hundred µs before a change
    /// only (`TimingStep.spin`): it holds a core while it waits.
    public func spin(until local: LocalInstant) {
        let target = raw(at: local)
        while kernel.rawNanos() < target {}
    }

    /// `CLOCK_MONOTONIC`'s rate against the raw clock since `previous`, in
    /// ppm (positive: monotonic runs fast, being slewed forward), and the
    /// reading to pass next time. For `/metrics` and a log line: the lights
    /// do not depend on it.
    public func slewPPM(since previous: (raw: Int64, monotonic: Int64)?) -> (ppm: Double?, reading: (raw: Int64, monotonic: Int64)) {
        let raw = kernel.rawNanos()
        let monotonic = kernel.monotonicNanos()
        guard let previous, raw > previous.raw else { return (nil, (raw, monotonic)) }
        let ppm = Double((monotonic - previous.monotonic) - (raw - previous.raw)) / Double(raw - previous.raw) * 1e6
        return (ppm, (raw, monotonic))
    }
}
