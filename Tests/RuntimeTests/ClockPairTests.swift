import JunctionCore
import Posix
import Runtime
import Testing

/// The runtimes' clocks against kernel clocks bent as a node's NTP daemon
/// bends them: the coordinator's timebase must not move with a wall-clock
/// step; the agent's clock must not move with a `CLOCK_MONOTONIC` slew, and
/// its sleeps must still end on time.
@Suite("Coordinator and agent clocks under NTP steps and slews")
struct ClockPairTests {
    static let second: Int64 = 1_000_000_000

    /// A datagram the kernel stamped now, handed to the receiving thread
    /// `receivedAfterNanos` later.
    static func datagramStampedNow(_ kernel: FakeKernelClocks, receivedAfterNanos delay: Int64) -> ReceivedDatagram {
        let stamp = kernel.realtimeNanos()
        kernel.advance(byNanos: delay)
        return ReceivedDatagram(bytes: [], source: .loopbackIPv4(port: 1), kernelRealtimeNanos: stamp,
                                monotonicNanos: kernel.monotonicNanos(), truncated: false)
    }

    @Test func coordinatorClockReadsTheWallClockOnceAndIgnoresLaterSteps() {
        let kernel = FakeKernelClocks()
        let clock = CoordinatorClock(kernel: kernel)
        let start = clock.now()
        #expect(start.nanos == kernel.realtimeNanos(), "a fresh coordinator starts on the wall clock")
        kernel.advance(byNanos: 3 * Self.second)
        kernel.stepWallClock(byNanos: -7 * Self.second)   // NTP steps the node back 7 s
        kernel.advance(byNanos: 2 * Self.second)
        #expect(clock.now() - start == 5 * Self.second, "the coordinator's clock ran on, unmoved by the step")
        #expect(clock.wallClockDriftNanos() == -7 * Self.second, "the step is visible in metrics only")
    }

    @Test func coordinatorWallClockOffsetAidShiftsOnlyTheStart() {
        let kernel = FakeKernelClocks()
        let plain = CoordinatorClock(kernel: kernel)
        let off = CoordinatorClock(kernel: kernel, wallClockOffsetNanos: 42 * Self.second)
        #expect(off.now() - plain.now() == 42 * Self.second)
        #expect(off.wallClockDriftNanos() == 0 && plain.wallClockDriftNanos() == 0)
    }

    @Test func coordinatorReceiveStampSurvivesAWallClockStep() {
        let kernel = FakeKernelClocks()
        let clock = CoordinatorClock(kernel: kernel)
        kernel.advance(byNanos: Self.second)
        let stampedAt = clock.now()
        let kernelStamp = kernel.realtimeNanos()
        kernel.advance(byNanos: 40_000)   // the network thread wakes 40 µs later
        let datagram = ReceivedDatagram(bytes: [], source: .loopbackIPv4(port: 1), kernelRealtimeNanos: kernelStamp,
                                        monotonicNanos: kernel.monotonicNanos(), truncated: false)
        #expect(clock.arrival(of: datagram) == stampedAt, "the kernel stamp, on the coordinator's clock")
        kernel.stepWallClock(byNanos: 30 * Self.second)
        // A stamp taken before a step and converted after it is off by the
        // step: the reading after recvmsg is used instead (40 µs late, not 30 s).
        #expect(clock.arrival(of: datagram) == stampedAt + 40_000)
    }

    /// The junction's timebase is the coordinator's clock: chrony slewing
    /// `CLOCK_MONOTONIC` on its node must not bend it (the agents model a
    /// crystal within 500 ppm and cannot follow 83,333 ppm).
    @Test(arguments: [83_333.0, -83_333.0, -20_000.0])
    func coordinatorClockFollowsTheRawClockWhileMonotonicIsSlewed(ppm: Double) {
        let kernel = FakeKernelClocks()
        let clock = CoordinatorClock(kernel: kernel)
        let start = clock.now()
        kernel.slew(ppm: ppm)
        kernel.advance(byNanos: 6 * Self.second)
        #expect(clock.now() - start == 6 * Self.second, "6 s of crystal are 6 s of timebase, whatever chrony does")
        // Its ticks go out on time on the raw clock, however the slew maps.
        kernel.setWakeLatency(nanos: 1_000)
        let target = clock.now() + 7 * Self.second
        clock.sleep(until: target)
        let late = clock.now() - target
        #expect(late >= 0 && late <= 11_000, "a 7 s sleep woke \(late) ns after its deadline at \(ppm) ppm")
        // A datagram's kernel stamp lands on the same clock.
        let arrived = clock.now()
        #expect(abs(clock.arrival(of: Self.datagramStampedNow(kernel, receivedAfterNanos: 20_000)) - arrived) <= 2_000)
    }

    @Test(arguments: [83_333.0, -83_333.0, 0.0])
    func agentClockFollowsTheRawClockWhileMonotonicIsSlewed(ppm: Double) {
        let kernel = FakeKernelClocks()
        let clock = AgentClock(kernel: kernel)
        let start = clock.now()
        kernel.slew(ppm: ppm)
        kernel.advance(byNanos: 3 * Self.second)
        #expect(clock.now() - start == 3 * Self.second, "3 s of crystal are 3 s, whatever chrony does to CLOCK_MONOTONIC")
    }

    @Test(arguments: [83_333.0, -83_333.0, 500.0, 0.0])
    func agentSleepsEndOnTheRawDeadlineDespiteASlew(ppm: Double) {
        let kernel = FakeKernelClocks()
        kernel.setWakeLatency(nanos: 1_000)
        let clock = AgentClock(kernel: kernel)
        kernel.slew(ppm: ppm)
        var worstLate: Int64 = 0
        for span in [20_000_000 as Int64, 1_000_000, 150_000, 7 * Self.second] {
            let target = clock.now() + span
            clock.sleep(until: target)
            let late = clock.now() - target
            #expect(late >= 0, "woke \(-late) ns before the deadline")
            worstLate = max(worstLate, late)
        }
        // A plain mapping would be 583 ms late after 7 s at -83,333 ppm.
        #expect(worstLate <= 10_000 + 1_000, "worst lateness \(worstLate) ns at \(ppm) ppm")
    }

    /// The last stretch before a change is waited for awake: the spin ends
    /// at the first reading at or past the instant, on the raw clock however
    /// the monotonic one is slewed and whatever the agent's drift aid, and
    /// never sleeps (a sleep would bring back the timer slack).
    @Test(arguments: [(0.0, 0.0), (83_333.0, 450.0), (-83_333.0, -450.0)])
    func agentSpinEndsAtTheFirstReadingPastTheInstantWithoutSleeping(slewPPM: Double, driftPPM: Double) {
        let kernel = FakeKernelClocks()
        let clock = AgentClock(driftPPM: driftPPM, kernel: kernel)
        kernel.slew(ppm: slewPPM)
        kernel.advance(byNanos: 3 * Self.second)
        kernel.setRawReadCost(nanos: 37)
        let target = clock.now() + 250_000
        clock.spin(until: target)
        kernel.setRawReadCost(nanos: 0)
        // The spin's last reading was at most 37 ns past the instant, and
        // that reading itself took 37 ns.
        let overshoot = clock.now() - target
        #expect(overshoot >= 37 && overshoot <= 2 * 37 + 1, "ended \(overshoot - 37) ns past the instant")
        #expect(kernel.sleeps == 0, "a spin never sleeps")
        clock.spin(until: target - 1_000)   // an instant already past returns at once
        #expect(clock.now() - target == overshoot)
    }

    @Test func agentArrivalMapsTheKernelStampToTheRawClock() {
        let kernel = FakeKernelClocks()
        let clock = AgentClock(kernel: kernel)
        kernel.advance(byNanos: Self.second)
        kernel.slew(ppm: 83_333)
        kernel.advance(byNanos: 2 * Self.second)   // raw and monotonic now differ by 167 ms
        let arrived = clock.now()
        let datagram = Self.datagramStampedNow(kernel, receivedAfterNanos: 20_000)
        // 20 µs of slew at 83,333 ppm between stamp and reading: under 2 µs.
        #expect(abs(clock.arrival(of: datagram) - arrived) <= 2_000)
    }

    @Test func agentMeasuresTheSlew() {
        let kernel = FakeKernelClocks()
        let clock = AgentClock(kernel: kernel)
        let first = clock.slewPPM(since: nil)
        #expect(first.ppm == nil)
        kernel.slew(ppm: -40_000)
        kernel.advance(byNanos: Self.second)
        let second = clock.slewPPM(since: first.reading)
        #expect(abs((second.ppm ?? 0) + 40_000) < 1)
    }
}
