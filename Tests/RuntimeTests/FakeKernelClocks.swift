import Posix
import Runtime
import Synchronization

/// Kernel clocks in virtual time, as a node's NTP daemon can bend them:
/// `CLOCK_MONOTONIC_RAW` is true time; `CLOCK_MONOTONIC` runs at
/// 1 + `slewPPM`/10⁶ of it (chrony slews it); `CLOCK_REALTIME` is monotonic
/// plus an offset that a step changes. A sleep moves true time to the instant
/// the monotonic clock reaches the deadline, plus `wakeLatencyNanos`.
final class FakeKernelClocks: KernelClocks {
    private struct State {
        var trueNanos: Int64
        var baseTrue: Int64
        var baseMonotonic: Int64
        var slewPPM: Double = 0
        var realtimeMinusMonotonic: Int64
        var sleeps = 0
        var wakeLatencyNanos: Int64 = 0
        var rawReadNanos: Int64 = 0
    }
    private let state: Mutex<State>

    init(trueNanos: Int64 = 5_000 * 1_000_000_000, monotonicNanos: Int64 = 4_000 * 1_000_000_000,
         realtimeNanos: Int64 = 1_764_000_000 * 1_000_000_000) {
        state = Mutex(State(trueNanos: trueNanos, baseTrue: trueNanos, baseMonotonic: monotonicNanos,
                            realtimeMinusMonotonic: realtimeNanos - monotonicNanos))
    }

    private static func monotonic(_ s: State) -> Int64 {
        s.baseMonotonic + Int64((Double(s.trueNanos - s.baseTrue) * (1 + s.slewPPM / 1e6)).rounded())
    }

    func monotonicNanos() -> Int64 { state.withLock { Self.monotonic($0) } }
    func rawNanos() -> Int64 {
        state.withLock { s in
            defer { s.trueNanos += s.rawReadNanos }
            return s.trueNanos
        }
    }
    func realtimeNanos() -> Int64 { state.withLock { Self.monotonic($0) + $0.realtimeMinusMonotonic } }

    func sleep(untilMonotonicNanos deadline: Int64) {
        state.withLock { s in
            s.sleeps += 1
            let now = Self.monotonic(s)
            if deadline > now {
                let trueSpan = Double(deadline - s.baseMonotonic) / (1 + s.slewPPM / 1e6)
                s.trueNanos = max(s.trueNanos, s.baseTrue + Int64(trueSpan.rounded(.up)))
                while Self.monotonic(s) < deadline { s.trueNanos += 1 }
            }
            s.trueNanos += s.wakeLatencyNanos
        }
    }

    /// Lets true time pass.
    func advance(byNanos span: Int64) { state.withLock { $0.trueNanos += span } }

    /// From now on `CLOCK_MONOTONIC` runs `ppm` fast (negative: slow).
    func slew(ppm: Double) {
        state.withLock { s in
            s.baseMonotonic = Self.monotonic(s)
            s.baseTrue = s.trueNanos
            s.slewPPM = ppm
        }
    }

    /// Steps the wall clock (an NTP step) by `nanos`.
    func stepWallClock(byNanos nanos: Int64) { state.withLock { $0.realtimeMinusMonotonic += nanos } }

    func setWakeLatency(nanos: Int64) { state.withLock { $0.wakeLatencyNanos = nanos } }
    /// From now on each `CLOCK_MONOTONIC_RAW` reading takes `nanos` of true
    /// time, as a thread that spins on the clock sees it.
    func setRawReadCost(nanos: Int64) { state.withLock { $0.rawReadNanos = nanos } }
    var sleeps: Int { state.withLock { $0.sleeps } }
}
