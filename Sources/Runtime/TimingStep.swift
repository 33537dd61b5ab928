import JunctionCore

/// What the agent's timing thread does next: sleep to the core's wake-up
/// (or a flash toggle, or the next re-check), or first sleep to a moment
/// before the wake-up and run the core ahead of it, then wait out the rest
/// awake.
///
/// Why run ahead: between changes a board idles for seconds, and the core's
/// code and data fall out of the caches. Run cold, the core took 30-45 µs
/// from the timing thread's wake-up to the lamp on the bench machine; run
/// `warmUpNanos` after a warm-up, about 3 µs. Nothing is due at the warm-up,
/// so the light stays as it is. On a board the cold run is 30-45 µs of
/// latency that varies with what else ran; where agents share cores (the
/// lockstep bench, `junction simulate`) each agent's cold run also delays
/// the next one's change.
///
/// Why wait out the last stretch awake: a thread that sleeps to the change
/// itself wakes when the kernel gets round to it, after the scheduler's
/// latency, and two boards each wake at their own point in that. After
/// the warm-up the thread is already running, so it reads the clock until
/// the instant (at most `spinNanos`, 300 µs per change: well under 0.1%
/// of a core) and changes the light with no wake-up in between. Only a
/// real-time thread does (`AgentSettings.spinNanos` says why): beside four
/// busy loops its worst change came 62-162 µs late spinning, 245 µs
/// sleeping in the same session (mean 36-41 against 77 µs;
/// `docs/BENCHMARKS.md`).
enum TimingStep: Equatable {
    /// Sleep until `at`, then run the core once ahead of its wake-up.
    case warmUp(at: LocalInstant)
    /// Sleep until `until`, then run whatever is due.
    case sleep(until: LocalInstant)
    /// Read the clock until `until` without sleeping, then run whatever is
    /// due: the core has run ahead of this wake-up and it is near.
    case spin(until: LocalInstant)

    /// The step after `now`, for the core's next wake-up `wakeAt` and the
    /// next flash toggle `flashAt`; `warmedUpFor` is the wake-up the core
    /// last ran ahead of. A wake-up closer than `warmUpNanos` is slept to
    /// directly (there is no time left to run ahead); `warmUpNanos` 0 never
    /// runs ahead. Once run ahead, a wake-up at most `spinNanos` away with
    /// nothing due before it is waited for awake; `spinNanos` 0 never spins.
    static func next(
        now: LocalInstant, wakeAt: LocalInstant, flashAt: LocalInstant?, warmedUpFor: LocalInstant?,
        recheckNanos: Int64, warmUpNanos: Int64, spinNanos: Int64 = 0
    ) -> TimingStep {
        let sleepUntil = min(wakeAt, flashAt ?? wakeAt, now + recheckNanos)
        let warmUpAt = wakeAt - warmUpNanos
        if warmUpNanos > 0, warmedUpFor != wakeAt, warmUpAt > now, warmUpAt <= sleepUntil {
            return .warmUp(at: warmUpAt)
        }
        if warmedUpFor == wakeAt, sleepUntil == wakeAt, wakeAt > now, wakeAt - now <= spinNanos {
            return .spin(until: wakeAt)
        }
        return .sleep(until: sleepUntil)
    }
}
