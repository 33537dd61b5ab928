import JunctionCore
import Posix

/// A clock the wiring test can sleep on; `MonotonicClock` in production, a
/// virtual clock in tests so the runner is checked without waiting.
public protocol AbsoluteSleepClock: Sendable {
    func nowNanos() -> Int64
    func sleep(untilNanos deadlineNanos: Int64)
}

extension MonotonicClock: AbsoluteSleepClock {}

/// `junction gpio test`: cycles one head through every lamp combination once,
/// so an installer can check the wiring by eye before joining the cluster.
///
/// Each step is held for `stepNanos` (about a second) and deadlines are
/// absolute (start + k * step), so slow writes do not stretch the sequence.
public struct GPIOWiringTest: Sendable {
    /// The aspects shown, in order: every lamp alone and red+amber, then dark.
    public static let sequence: [Aspect] = [.red, .redAmber, .green, .amber, .red, .off]

    public var stepNanos: Int64

    public init(stepNanos: Int64 = .nanosPerSecond) {
        self.stepNanos = stepNanos
    }

    /// When step `index` starts, relative to the start of the test.
    public func startOffsetNanos(ofStep index: Int) -> Int64 { Int64(index) * stepNanos }

    /// Shows the sequence on `output`, calling `progress` before each step
    /// (e.g. to print "red"). Does not close `output`.
    public func run(
        on output: any LightOutput, clock: some AbsoluteSleepClock = MonotonicClock(),
        progress: (Int, Aspect) -> Void = { _, _ in }
    ) throws(LightOutputError) {
        let startNanos = clock.nowNanos()
        for (index, aspect) in Self.sequence.enumerated() {
            let deadline = startNanos + startOffsetNanos(ofStep: index)
            clock.sleep(untilNanos: deadline)
            progress(index, aspect)
            // Steady aspects only, so the timebase instant does not matter.
            try output.show(aspect, at: TimebaseInstant(nanos: 0))
        }
        clock.sleep(untilNanos: startNanos + startOffsetNanos(ofStep: Self.sequence.count))
    }
}
