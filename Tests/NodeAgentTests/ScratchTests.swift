import JunctionCore
import Testing
@testable import NodeAgent

@Test func scratchEarly() {
    var random = SplitMix64(seed: 3 &* 7919)
    let scenario = ClockScenario(seed: 3, durationNanos: 8 * .nanosPerSecond, driftPPM: random.uniform(-200...200), wanderAmplitudePPM: 2)
    var h = ClockHarness(scenario)
    while h.trueNanos < scenario.durationNanos {
        h.advance(untilTrueNanos: h.trueNanos + 1)
        let d = h.discipline
        let local = LocalInstant(nanos: h.localNanos(atTrue: h.trueNanos))
        if let tb = d.timebase(at: local) {
            let err = tb.nanos - ClockScenario.epochNanos - h.trueNanos
            print("t=\(Double(h.trueNanos)/1e9) err=\(err/1000)us bound=\(d.errorBoundNanos(at: local)/1000)us f=\(d.frequencyPPM) fu=\(d.frequencyUncertaintyPPM) blocks=\(d.estimator.blocks.count) locked=\(d.isLocked) drift=\(scenario.driftPPM)")
        }
    }
}
