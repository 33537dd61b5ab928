import JunctionCore

/// The on-board signal monitor: the last word on every lamp change.
///
/// Why a second opinion: the sequencer computes what a head should show from
/// the plan and a disciplined clock, and any fault upstream of it (a plan
/// switched late, a pending plan replaced during a handover, a clock step, a
/// bug) would reach the street as green→red without amber or red→green. A
/// real cabinet's conflict monitor sits between controller and lamps and
/// trusts nothing the controller says; this is the same. It shares no code
/// with `HeadSequencer`: it sees only the aspects offered to it, the instants
/// they are offered at and the plan's published rules (sequence, amber,
/// red+amber, minimum green). A change is accepted only if it is a legal
/// successor of what the head shows, after that aspect's minimum time.
/// Anything else trips it: the head takes the safe path (a green gets its
/// full amber, then flashing red; anything else flashes red at once), and
/// stays there, latched, whatever is offered, until `rearm`.
public struct SignalMonitor: Sendable, Hashable {
    /// What the monitor knows of the plan.
    public struct Rules: Sendable, Hashable {
        public var sequence: AspectSequence
        public var amberNanos: Int64
        public var redAmberNanos: Int64
        public var minGreenNanos: Int64

        public init(sequence: AspectSequence, amberNanos: Int64, redAmberNanos: Int64, minGreenNanos: Int64) {
            self.sequence = sequence
            self.amberNanos = amberNanos
            self.redAmberNanos = redAmberNanos
            self.minGreenNanos = minGreenNanos
        }

        public init(sequence: AspectSequence, timing: ClearanceTiming) {
            self.init(sequence: sequence, amberNanos: timing.amberNanos, redAmberNanos: timing.redAmberNanos,
                      minGreenNanos: timing.minGreenNanos)
        }

        /// Before any plan is known: the UK sequence and the default timing.
        public static let defaults = Rules(sequence: .uk, timing: .defaults)

        /// How much shorter than its minimum an aspect may measure on the
        /// board's clock: the clock is slewed by at most 500 ppm and the plan
        /// is mapped to local time with 1 ns rounding, so 2,000 ppm plus 1 ms
        /// covers both; a clock step (milliseconds to seconds) does not fit.
        static func slackNanos(_ minimum: Int64) -> Int64 { minimum / 500 + 1_000_000 }
    }

    /// Why a change was refused.
    public enum Violation: String, Sendable, Hashable, CustomStringConvertible {
        /// Green may only become amber (not red, dark, flashing, red+amber).
        case greenNotToAmber = "green-not-to-amber"
        /// Green became amber before its minimum green.
        case shortGreen = "short-green"
        /// Amber changed before its full time.
        case shortAmber = "short-amber"
        /// Red+amber became green before its full time.
        case shortRedAmber = "short-red-amber"
        /// A head started (green, or UK red+amber) from something that does
        /// not stop traffic first, or the UK sequence skipped red+amber.
        case startWithoutStop = "start-without-stop"
        /// Amber or red+amber appeared where the sequence has none.
        case notInSequence = "not-in-sequence"

        public var description: String { rawValue }
    }

    /// A refused change: what was shown, for how long, and what was offered.
    public struct Trip: Sendable, Hashable, CustomStringConvertible {
        public var from: Aspect
        public var to: Aspect
        public var shownNanos: Int64
        public var at: LocalInstant
        public var violation: Violation

        public var description: String {
            "\(violation): \(from) -> \(to) after \(shownNanos / .nanosPerMillisecond) ms"
        }
    }

    public var rules: Rules
    /// What the lamps show, and since when.
    public private(set) var shown: Aspect
    public private(set) var shownSince: LocalInstant
    /// The least time the shown aspect must last, fixed when it began (so a
    /// plan handover cannot shorten an amber already running).
    private var minimumNanos: Int64
    /// The latched refusal, if tripped.
    public private(set) var trip: Trip?
    /// Every trip since start, for metrics.
    public private(set) var tripCount: UInt64 = 0

    /// A monitor for a head showing `aspect` from `now`. A `retained` aspect
    /// was lit for an unknown time before (a predecessor's lamp): a green has
    /// then served its minimum, anything else starts its minimum now.
    public init(rules: Rules = .defaults, showing aspect: Aspect, at now: LocalInstant, retained: Bool = false) {
        self.rules = rules
        shown = aspect
        shownSince = now
        minimumNanos = 0
        minimumNanos = retained && aspect == .green ? 0 : minimum(of: aspect)
    }

    public var isTripped: Bool { trip != nil }

    /// Offers the aspect the controller wants from `now`; returns what the
    /// head shows (the offer, or the safe path).
    public mutating func offer(_ wanted: Aspect, at now: LocalInstant) -> Aspect {
        advanceSafePath(to: now)
        guard trip == nil, stopping == nil, wanted != shown else { return shown }
        if let violation = check(wanted, elapsedNanos: now - shownSince) {
            trip = Trip(from: shown, to: wanted, shownNanos: now - shownSince, at: now, violation: violation)
            tripCount += 1
            enterSafePath(at: now, finally: .flashingRed)
        } else {
            show(wanted, at: now)
        }
        return shown
    }

    /// The instant from which the monitor accepts `wanted`: `now` if it
    /// would now, the end of the shown aspect's minimum (less the slack) if
    /// only its time objects, nil if it refuses the change whatever the time
    /// and while it is tripped or stopping (offers are ignored then).
    /// Why: `LateChangeHold` asks it, so that a change offered before its
    /// time waits for it instead of tripping the monitor.
    public func acceptsFrom(_ wanted: Aspect, at now: LocalInstant) -> LocalInstant? {
        guard trip == nil, stopping == nil, wanted != shown, check(wanted, elapsedNanos: .max / 2) == nil else { return nil }
        if check(wanted, elapsedNanos: now - shownSince) == nil { return now }
        return shownSince + minimumNanos - Rules.slackNanos(minimumNanos)
    }

    /// The instant the monitor itself changes the head (the end of a safe
    /// path's amber), so the shell wakes for it.
    public var nextChange: LocalInstant? {
        guard trip != nil || stopping != nil, shown == .amber else { return nil }
        return shownSince + minimumNanos
    }

    /// The shown aspect reached the lamps at `lit`, after the instant it was
    /// offered at: its minimum counts from there. Never earlier, so the
    /// monitor only grows stricter.
    public mutating func lampLit(at lit: LocalInstant) {
        if lit > shownSince { shownSince = lit }
    }

    /// Re-arms after a trip: the agent has left the plan and joined it again
    /// through its join rules. Only once the safe path is complete.
    public mutating func rearm(at now: LocalInstant) {
        advanceSafePath(to: now)
        guard trip != nil, shown != .amber else { return }
        trip = nil
    }

    /// The head is being shut down (SIGTERM): a green clears through its
    /// full amber to `final`, an amber finishes, anything else takes `final`
    /// at once. Not a trip. Returns when the head shows `final`.
    public mutating func stop(at now: LocalInstant, finally final: Aspect) -> LocalInstant {
        advanceSafePath(to: now)
        enterSafePath(at: now, finally: final)
        stopping = final
        return shown == .amber ? shownSince + minimumNanos : now
    }

    /// The final aspect of a shutdown in progress.
    private var stopping: Aspect?

    // MARK: Rules

    /// The refusal for `shown` → `wanted` after `elapsedNanos`, or nil if legal.
    func check(_ wanted: Aspect, elapsedNanos: Int64) -> Violation? {
        let served = elapsedNanos >= minimumNanos - Rules.slackNanos(minimumNanos)
        switch (shown, wanted) {
        case (.green, .amber):
            return served ? nil : .shortGreen
        case (.green, _):
            return .greenNotToAmber
        case (.amber, _) where !served:
            return .shortAmber
        case (.amber, .red), (.amber, .flashingRed), (.amber, .flashingAmber), (.amber, .off):
            return nil
        case (.amber, .green):
            return .startWithoutStop
        case (.amber, _):
            return .notInSequence
        case (.redAmber, .green):
            return served ? nil : .shortRedAmber
        case (.redAmber, .amber):
            return .notInSequence
        case (.redAmber, _):
            return nil
        case (.red, .redAmber), (.flashingRed, .redAmber):
            return rules.sequence == .uk ? nil : .notInSequence
        case (.red, .green):
            return rules.sequence == .us ? nil : .startWithoutStop
        case (.flashingRed, .green):
            // Out of a flash a head shows steady red before a US green.
            return .startWithoutStop
        case (_, .amber):
            return .notInSequence
        case (.off, .redAmber), (.off, .green), (.flashingAmber, .redAmber), (.flashingAmber, .green):
            return .startWithoutStop
        default:
            // Between stopping aspects (red, flashing, dark): always safe.
            return nil
        }
    }

    private func minimum(of aspect: Aspect) -> Int64 {
        switch aspect {
        case .green: rules.minGreenNanos
        case .amber: rules.amberNanos
        case .redAmber: rules.redAmberNanos
        default: 0
        }
    }

    // MARK: Safe path

    private mutating func show(_ aspect: Aspect, at now: LocalInstant) {
        shown = aspect
        shownSince = now
        minimumNanos = minimum(of: aspect)
    }

    /// A green becomes amber now; an amber keeps its time; then `final`.
    private mutating func enterSafePath(at now: LocalInstant, finally final: Aspect) {
        switch shown {
        case .green:
            show(.amber, at: now)
            minimumNanos = rules.amberNanos
        case .amber:
            minimumNanos = max(minimumNanos, rules.amberNanos)
        default:
            show(final, at: now)
        }
        safeFinal = final
    }

    /// What the safe path ends on.
    private var safeFinal: Aspect = .flashingRed

    private mutating func advanceSafePath(to now: LocalInstant) {
        guard trip != nil || stopping != nil, shown == .amber, now >= shownSince + minimumNanos else { return }
        show(safeFinal, at: shownSince + minimumNanos)
    }
}
