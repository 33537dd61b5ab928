import JunctionCore

/// What the agent's timing thread does next: sleep to the core's wake-up
/// (or a flash toggle, or the next re-check), or first sleep to a moment
/// before the wake-up and run the core ahead of it.
///
/// Why run ahead: between changes a board idles for seconds, and the core's
/// code and data fall out of the caches. Run cold, the core took 30-45 µs
/// from the timing thread's wake-up to the lamp on the bench machine; run
/// `warmUpNanos` after a warm-up, about 3 µs. Nothing is due at the warm-up,
/// so the light stays as it is. On a board the cold run is 30-45 µs of
/// latency that varies with what else ran; where agents share cores (the
/// lockstep bench, `junction simulate`) each agent's cold run also delays
/// the next one's change.
enum TimingStep: Equatable {
    /// Sleep until `at`, then run the core once ahead of its wake-up.
    case warmUp(at: LocalInstant)
    /// Sleep until `until`, then run whatever is due.
    case sleep(until: LocalInstant)

    /// The step after `now`, for the core's next wake-up `wakeAt` and the
    /// next flash toggle `flashAt`; `warmedUpFor` is the wake-up the core
    /// last ran ahead of. A wake-up closer than `warmUpNanos` is slept to
    /// directly (there is no time left to run ahead); `warmUpNanos` 0 never
    /// runs ahead.
    static func next(
        now: LocalInstant, wakeAt: LocalInstant, flashAt: LocalInstant?, warmedUpFor: LocalInstant?,
        recheckNanos: Int64, warmUpNanos: Int64
    ) -> TimingStep {
        let sleepUntil = min(wakeAt, flashAt ?? wakeAt, now + recheckNanos)
        let warmUpAt = wakeAt - warmUpNanos
        if warmUpNanos > 0, warmedUpFor != wakeAt, warmUpAt > now, warmUpAt <= sleepUntil {
            return .warmUp(at: warmUpAt)
        }
        return .sleep(until: sleepUntil)
    }
}
