/// A validated signal plan: what every signal group of every junction shows
/// at every instant of the cycle.
///
/// A `SignalPlan` only exists once every rule holds (`SignalPlan.load`), so
/// code that holds one never needs to check it again: a refused plan is never
/// partly applied.
public struct SignalPlan: Sendable {
    /// The plan's parts, shared by every copy. Why: a plan is carried in
    /// every schedule, anchored plan and tick decision, and copied with
    /// them several times per event; inline it was about 190 bytes and nine
    /// arrays and strings, each copy moving them all and retaining each one.
    private final class Parts: Sendable {
        let name: String
        let sequence: AspectSequence
        let timing: ClearanceTiming
        let minimums: ClearanceTiming
        let groups: [String]
        let conflicts: [Conflict]
        let phases: [Phase]
        let junctions: [JunctionSpec]
        let corridor: Corridor?
        let heads: [HeadEntry]
        let scaling: ScalingRule
        let flashAspect: Aspect
        let cycleNanos: Int64
        let timelines: [GroupTimeline]

        init(name: String, sequence: AspectSequence, timing: ClearanceTiming, minimums: ClearanceTiming,
             groups: [String], conflicts: [Conflict], phases: [Phase], junctions: [JunctionSpec],
             corridor: Corridor?, heads: [HeadEntry], scaling: ScalingRule, flashAspect: Aspect) {
            self.name = name
            self.sequence = sequence
            self.timing = timing
            self.minimums = minimums
            self.groups = groups
            self.conflicts = conflicts
            self.phases = phases
            self.junctions = junctions
            self.corridor = corridor
            self.heads = heads
            self.scaling = scaling
            self.flashAspect = flashAspect
            let built = GroupTimeline.build(groupCount: groups.count, phases: phases, timing: timing, sequence: sequence)
            self.cycleNanos = built.cycleNanos
            self.timelines = built.timelines
        }
    }

    private let parts: Parts

    /// Free-form name, for logs and the timing diagram.
    public var name: String { parts.name }
    public var sequence: AspectSequence { parts.sequence }
    public var timing: ClearanceTiming { parts.timing }
    public var minimums: ClearanceTiming { parts.minimums }
    /// Signal group names; a group's index is its identity inside the plan.
    public var groups: [String] { parts.groups }
    /// Every conflicting pair: the declared ones and those the fail-closed
    /// default implies.
    public var conflicts: [Conflict] { parts.conflicts }
    public var phases: [Phase] { parts.phases }
    public var junctions: [JunctionSpec] { parts.junctions }
    /// Present when junctions were generated from a green-wave corridor; it
    /// lets the `extend` scaling rule add junctions beyond the listed ones.
    public var corridor: Corridor? { parts.corridor }
    public var heads: [HeadEntry] { parts.heads }
    public var scaling: ScalingRule { parts.scaling }
    /// What a head shows when its agent cannot be sure of the time.
    public var flashAspect: Aspect { parts.flashAspect }
    /// One cycle, from the all-red start of the first phase to the end of the
    /// last phase's amber.
    public var cycleNanos: Int64 { parts.cycleNanos }
    /// One timeline per group, indexed like `groups`.
    public var timelines: [GroupTimeline] { parts.timelines }

    init(name: String, sequence: AspectSequence, timing: ClearanceTiming, minimums: ClearanceTiming,
         groups: [String], conflicts: [Conflict], phases: [Phase], junctions: [JunctionSpec],
         corridor: Corridor?, heads: [HeadEntry], scaling: ScalingRule, flashAspect: Aspect) {
        parts = Parts(name: name, sequence: sequence, timing: timing, minimums: minimums, groups: groups,
                      conflicts: conflicts, phases: phases, junctions: junctions, corridor: corridor,
                      heads: heads, scaling: scaling, flashAspect: flashAspect)
    }

    /// The index of a group by name.
    public func groupIndex(named name: String) -> Int? { groups.firstIndex(of: name) }

    /// The index of a listed junction by name.
    public func junctionIndex(named name: String) -> Int? { junctions.firstIndex { $0.name == name } }
}

/// The order of aspects a head goes through.
public enum AspectSequence: String, Sendable, Hashable, CaseIterable {
    /// Red, red+amber, green, amber, red.
    case uk
    /// Red, green, yellow (amber), red.
    case us
}

/// The clearance times of a plan (or the minimums they are held against).
public struct ClearanceTiming: Sendable, Hashable {
    /// Amber after green.
    public var amberNanos: Int64
    /// Red+amber before green (UK sequence only; zero for US).
    public var redAmberNanos: Int64
    /// All groups red between one phase's amber and the next phase's start.
    public var allRedNanos: Int64
    /// The shortest green any phase may have.
    public var minGreenNanos: Int64

    public init(amberNanos: Int64, redAmberNanos: Int64, allRedNanos: Int64, minGreenNanos: Int64) {
        self.amberNanos = amberNanos
        self.redAmberNanos = redAmberNanos
        self.allRedNanos = allRedNanos
        self.minGreenNanos = minGreenNanos
    }

    /// Defaults chosen from common practice: 3 s amber, 2 s red+amber, 2 s
    /// all-red, 7 s minimum green.
    public static let defaults = ClearanceTiming(
        amberNanos: 3 * .nanosPerSecond, redAmberNanos: 2 * .nanosPerSecond,
        allRedNanos: 2 * .nanosPerSecond, minGreenNanos: 7 * .nanosPerSecond)

    /// Default floors a plan is checked against: amber at least 3 s, all-red at
    /// least 1 s, red+amber at least 1 s, green at least 5 s.
    public static let defaultMinimums = ClearanceTiming(
        amberNanos: 3 * .nanosPerSecond, redAmberNanos: 1 * .nanosPerSecond,
        allRedNanos: 1 * .nanosPerSecond, minGreenNanos: 5 * .nanosPerSecond)

    /// Floors no plan may lower its minimums below.
    public static let hardFloors = ClearanceTiming(
        amberNanos: 3 * .nanosPerSecond, redAmberNanos: 500 * .nanosPerMillisecond,
        allRedNanos: 1 * .nanosPerSecond, minGreenNanos: 3 * .nanosPerSecond)

    /// Time between one phase's green ending and the next phase's green starting.
    public func interstageNanos(_ sequence: AspectSequence) -> Int64 {
        amberNanos + allRedNanos + (sequence == .uk ? redAmberNanos : 0)
    }
}

/// A pair of groups that must never be green together, and the least time
/// between one losing green and the other gaining it.
///
/// Conflicts are fail-closed: besides the pairs a plan lists, every pair of
/// groups that is green together in no phase conflicts, unless the plan
/// states it `compatible` (a signal monitor's compatibility card works the
/// same way). `declared` tells the two apart for messages.
public struct Conflict: Sendable, Hashable {
    public var first: Int
    public var second: Int
    /// Required intergreen (amber plus all-red, by default the minimums').
    public var intergreenNanos: Int64
    /// Index in the plan's `conflicts` list; nil when implied by the default.
    public var declared: Int? = nil
}

/// One stage of the cycle: the groups that are green, and for how long.
public struct Phase: Sendable, Hashable {
    public var name: String
    /// Indices of the green groups, sorted.
    public var greens: [Int]
    public var greenNanos: Int64
}

/// One junction of the plan and its offset for green waves.
public struct JunctionSpec: Sendable, Hashable {
    public var name: String
    /// Shift of this junction's cycle after the plan's anchor, in `0..<cycle`.
    public var offsetNanos: Int64
}

/// A green-wave corridor: junction k is offset by k × spacing / speed.
public struct Corridor: Sendable, Hashable {
    public var count: Int
    public var spacingMetres: Double
    public var speedKmh: Double
    public var namePrefix: String

    /// Travel time from junction 0 to junction `k` at the design speed, exact
    /// to the nanosecond for any k (not reduced modulo the cycle).
    public func travelNanos(toJunction k: Int) -> Int64 {
        let seconds = Double(k) * spacingMetres / (speedKmh / 3.6)
        return Int64((seconds * 1e9).rounded())
    }
}

/// A head listed in the plan: who shows it, and what.
public struct HeadEntry: Sendable, Hashable {
    /// The board (Kubernetes node name) the light is wired to; nil for a head
    /// assigned by position (StatefulSet ordinal).
    public var board: String?
    public var junction: Int
    public var group: Int
}

/// What agents beyond the listed heads show, so scaling has a defined meaning.
public enum ScalingRule: String, Sendable, Hashable, CaseIterable {
    /// Ordinal n shows the head listed at n modulo the list: extra boards repeat it.
    case mirror
    /// Corridor plans: each extra agent is one more junction down the corridor,
    /// showing the group of the last listed head.
    case extend
    /// Extra agents show the flash aspect.
    case none
}
