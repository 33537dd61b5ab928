import JunctionCore
import Testing
@testable import NodeAgent

@Suite("SourceSelector: stable choice of coordinator")
struct SourceSelectorTests {
    let ms = Int64.nanosPerMillisecond
    /// Timeout 1.5 s, as the agent's default.
    func selector() -> SourceSelector { SourceSelector(timeoutNanos: 1_500 * ms) }

    @Test func theFirstCoordinatorHeardIsFollowed() {
        var sources = selector()
        #expect(sources.current == nil)
        let changed13 = sources.heard(id: 50, term: 3, atNanos: 0)
        #expect(changed13)
        #expect(sources.current == SourceSelector.Source(id: 50, term: 3))
        #expect(sources.isCurrent(50))
        #expect(!sources.isCurrent(7))
        let changed18 = sources.heard(id: 50, term: 3, atNanos: 100 * ms)
        #expect(!changed18, "hearing it again is no change")
    }

    @Test func aSecondCoordinatorDoesNotTakeOverWhileTheFirstIsHeard() {
        var sources = selector()
        _ = sources.heard(id: 50, term: 3, atNanos: 0)
        // A higher term would win a fresh choice, but the first is still heard.
        for k in Int64(1)...40 {
            let changed27 = sources.heard(id: 1, term: 9, atNanos: k * 100 * ms)
            #expect(!changed27)
            if k % 10 == 0 { _ = sources.heard(id: 50, term: 3, atNanos: k * 100 * ms) }
            #expect(sources.current?.id == 50)
        }
    }

    /// Rule 10: the highest term (the newest adoption), then the lowest id.
    @Test func onTimeoutTheHighestTermThenLowestIDAmongLiveOnesIsChosen() {
        var sources = selector()
        _ = sources.heard(id: 50, term: 1, atNanos: 0)
        _ = sources.heard(id: 9, term: 2, atNanos: 1_000 * ms)
        _ = sources.heard(id: 7, term: 2, atNanos: 1_000 * ms)
        _ = sources.heard(id: 3, term: 4, atNanos: 1_000 * ms)
        _ = sources.heard(id: 1, term: 5, atNanos: 1_000 * ms)
        // At exactly the timeout the first is still live.
        let changed42 = sources.reselect(atNanos: 1_500 * ms)
        #expect(!changed42)
        #expect(sources.current?.id == 50)
        // One nanosecond later it is not: term 5 beats 4 and 2.
        let changed46 = sources.reselect(atNanos: 1_500 * ms + 1)
        #expect(changed46)
        #expect(sources.current == SourceSelector.Source(id: 1, term: 5))
        // Gone too: term 4; then among equal terms the lower id.
        _ = sources.goodbye(id: 1, atNanos: 1_500 * ms + 2)
        #expect(sources.current == SourceSelector.Source(id: 3, term: 4))
        _ = sources.goodbye(id: 3, atNanos: 1_500 * ms + 3)
        #expect(sources.current == SourceSelector.Source(id: 7, term: 2))
    }

    @Test func coordinatorsSilentThemselvesAreNotChosen() {
        var sources = selector()
        _ = sources.heard(id: 50, term: 3, atNanos: 0)
        _ = sources.heard(id: 1, term: 1, atNanos: 0)       // silent since 0
        _ = sources.heard(id: 60, term: 3, atNanos: 1_000 * ms)
        let changed56 = sources.reselect(atNanos: 2_000 * ms)
        #expect(changed56)
        #expect(sources.current?.id == 60)
        // Everyone silent: nobody is followed, which is not reported as a change to follow.
        let changed60 = sources.reselect(atNanos: 5_000 * ms)
        #expect(!changed60)
        #expect(sources.current == nil)
    }

    @Test func goodbyeSwitchesAtOnceAndTheIDIsNeverChosenAgain() {
        var sources = selector()
        _ = sources.heard(id: 5, term: 1, atNanos: 0)
        _ = sources.heard(id: 8, term: 2, atNanos: 10 * ms)
        let changed69 = sources.goodbye(id: 5, atNanos: 20 * ms)
        #expect(changed69)
        #expect(sources.current?.id == 8)
        // Late ticks from the departed coordinator are ignored, even when it
        // would otherwise be the best or the only choice.
        let changed74 = sources.heard(id: 5, term: 1, atNanos: 30 * ms)
        #expect(!changed74)
        #expect(sources.current?.id == 8)
        let changed77 = sources.heard(id: 5, term: 1, atNanos: 3_000 * ms)
        #expect(!changed77)
        _ = sources.reselect(atNanos: 3_000 * ms)
        #expect(sources.current == nil)
    }

    @Test func goodbyeFromAnotherCoordinatorChangesNothing() {
        var sources = selector()
        _ = sources.heard(id: 5, term: 1, atNanos: 0)
        _ = sources.heard(id: 8, term: 2, atNanos: 0)
        let changed87 = sources.goodbye(id: 8, atNanos: 10 * ms)
        #expect(!changed87)
        #expect(sources.current?.id == 5)
    }

    @Test func lastTermKeepsTheHighestTermFollowed() {
        var sources = selector()
        #expect(sources.lastTerm == 0)
        _ = sources.heard(id: 5, term: 7, atNanos: 0)
        #expect(sources.lastTerm == 7)
        _ = sources.heard(id: 6, term: 2, atNanos: 0)
        _ = sources.goodbye(id: 5, atNanos: 10 * ms)
        #expect(sources.current?.term == 2)
        #expect(sources.lastTerm == 7, "a lower term followed later does not lower it")
        _ = sources.reselect(atNanos: 10_000 * ms)
        #expect(sources.current == nil)
        #expect(sources.lastTerm == 7, "kept while no coordinator is heard")
        _ = sources.heard(id: 9, term: 11, atNanos: 10_001 * ms)
        #expect(sources.lastTerm == 11)
    }
}
