import Posix
import Runtime
import Synchronization
import Testing

/// A receive stamp is moved from `CLOCK_REALTIME` to the raw clock with
/// pairs of clock readings. A network thread preempted between the two
/// reads of a pair (a loaded node: tens of milliseconds) must not move the
/// stamp: that error would make the sample look like the fastest yet.
@Suite("Receive stamps when the thread is preempted between clock reads")
struct ReceiveTimePreemptionTests {
    /// Clocks in true time (raw = true, monotonic = true + 1 s, realtime =
    /// true + 1,000 s), where the first `preemptions` reads of the other
    /// clock of a pair come `preemptionNanos` of true time after the
    /// monotonic read before them.
    final class PreemptedClocks: KernelClocks {
        private struct State { var trueNanos: Int64; var preemptions: Int }
        private let state: Mutex<State>
        let preemptionNanos: Int64 = 120_000_000

        init(preemptions: Int) { state = Mutex(State(trueNanos: 5_000_000_000_000, preemptions: preemptions)) }

        private func other(_ offset: Int64) -> Int64 {
            state.withLock { s in
                // Preempted after the monotonic read, before this one.
                if s.preemptions > 0 { s.preemptions -= 1; s.trueNanos += preemptionNanos }
                return s.trueNanos + offset
            }
        }
        func monotonicNanos() -> Int64 { state.withLock { $0.trueNanos + 1_000_000_000 } }
        func rawNanos() -> Int64 { other(0) }
        func realtimeNanos() -> Int64 { other(1_000 * 1_000_000_000) }
        func sleep(untilMonotonicNanos deadline: Int64) {}
        func advance(_ nanos: Int64) { state.withLock { $0.trueNanos += nanos } }
    }

    @Test(arguments: [0, 1, 3])
    func aPreemptionBetweenReadsDoesNotMoveTheStamp(preemptions: Int) {
        // The datagram arrives now (true time T); recvmsg returns 50 µs later.
        let fresh = PreemptedClocks(preemptions: 0)
        let arrivalTrue = 5_000_000_000_000 as Int64
        let kernelStamp = arrivalTrue + 1_000 * 1_000_000_000
        fresh.advance(50_000)
        let datagram = ReceivedDatagram(bytes: [], source: .loopbackIPv4(port: 1), kernelRealtimeNanos: kernelStamp,
                                        monotonicNanos: fresh.monotonicNanos(), truncated: false)
        let preempted = PreemptedClocks(preemptions: preemptions)
        preempted.advance(50_000)
        let raw = ReceiveTime.rawNanos(of: datagram, clock: preempted)
        #expect(raw == arrivalTrue, "the arrival on the raw clock is off by \(raw - arrivalTrue) ns after \(preemptions) preemptions")
    }
}
