import JunctionCore

/// One signal head that can show an aspect.
///
/// Why a class-bound, `Sendable` protocol: the agent owns a dedicated timing
/// thread that calls `show` at each scheduled instant, while shutdown (from a
/// signal) calls `close` from another thread. Implementations therefore
/// serialise internally and guarantee that once `close` has run, the head stays
/// in its shutdown state: a late `show` from the timing thread is ignored.
public protocol LightOutput: AnyObject, Sendable {
    /// The head's name, as used in logs and recordings.
    var head: String { get }

    /// Shows `aspect`. `time` is the timebase instant the aspect is shown for;
    /// flashing aspects use it to pick their on/off half (see `FlashPhase`),
    /// so call `show` again at `FlashPhase.nextToggle(after:)` while flashing.
    /// Repeating the same lamps costs no I/O.
    func show(_ aspect: Aspect, at time: TimebaseInstant) throws(LightOutputError)

    /// Puts the head into its configured `ShutdownAspect` and releases the
    /// hardware or file. Idempotent; later `show` calls are ignored.
    func close()

    /// The aspect `close` leaves the head in.
    var shutdownAspect: Aspect { get }

    /// What the lamps showed when the output was opened, if it can tell (a
    /// crashed predecessor's lamp that the kernel kept driving).
    var retainedAspect: Aspect? { get }
}

public extension LightOutput {
    var shutdownAspect: Aspect { .off }
    var retainedAspect: Aspect? { nil }
}
