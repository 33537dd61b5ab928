import JunctionCore
import Testing
@testable import GPIO

private func at(_ ms: Int64) -> TimebaseInstant { TimebaseInstant(nanos: ms * .nanosPerMillisecond) }

@Test func flashIsOnForTheFirstHalfOfEachSecond() {
    #expect(FlashPhase.isOn(at: at(0)))
    #expect(FlashPhase.isOn(at: at(499)))
    #expect(!FlashPhase.isOn(at: at(500)))
    #expect(!FlashPhase.isOn(at: at(999)))
    #expect(FlashPhase.isOn(at: at(1_000)))
    // Before the epoch the phase continues, it does not mirror.
    #expect(!FlashPhase.isOn(at: at(-1)))
    #expect(FlashPhase.isOn(at: at(-1_000)))
}

@Test func steadyAspectsIgnoreTheTimeAndFlashingOnesGoDark() {
    #expect(FlashPhase.lamps(.green, at: at(700)) == Lamps(green: true))
    #expect(FlashPhase.lamps(.flashingRed, at: at(100)) == Lamps(red: true))
    #expect(FlashPhase.lamps(.flashingRed, at: at(700)) == Lamps())
    #expect(FlashPhase.lamps(.flashingAmber, at: at(1_200)) == Lamps(amber: true))
}

@Test func nextToggleIsTheNextHalfSecondBoundary() {
    #expect(FlashPhase.nextToggle(after: at(0)) == at(500))
    #expect(FlashPhase.nextToggle(after: at(499)) == at(500))
    #expect(FlashPhase.nextToggle(after: at(500)) == at(1_000))
    #expect(FlashPhase.nextToggle(after: at(-200)) == at(0))
}
