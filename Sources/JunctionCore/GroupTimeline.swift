/// The aspects of one signal group over one cycle, as sorted segments.
///
/// Lookups are binary searches (O(log segments)); positions are integer
/// nanoseconds in `0..<cycleNanos`, so a timeline is exact after any number
/// of cycles.
public struct GroupTimeline: Sendable, Hashable {
    /// A span starting at `startNanos` that lasts until the next segment's start.
    public struct Segment: Sendable, Hashable {
        public var startNanos: Int64
        public var aspect: Aspect
    }

    /// Segments sorted by start, the first at 0, no two neighbours alike
    /// (the last may equal the first: the span wraps around the cycle end).
    public let segments: [Segment]
    public let cycleNanos: Int64

    init(segments: [Segment], cycleNanos: Int64) {
        self.segments = segments
        self.cycleNanos = cycleNanos
    }

    /// The index of the segment containing `position` (0 ≤ position < cycle).
    func segmentIndex(at position: Int64) -> Int {
        var low = 0
        var high = segments.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if segments[mid].startNanos <= position { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// The aspect at a cycle position; any integer is reduced modulo the cycle.
    public func aspect(at position: Int64) -> Aspect {
        segments[segmentIndex(at: floorMod(position, cycleNanos))].aspect
    }

    /// The first change strictly after `position`: how far ahead it is and
    /// the aspect it brings. A group that never changes returns nil.
    public func nextChange(after position: Int64) -> (inNanos: Int64, aspect: Aspect)? {
        let p = floorMod(position, cycleNanos)
        let i = segmentIndex(at: p)
        let current = segments[i].aspect
        var j = i
        var distance: Int64 = 0
        for _ in 0..<segments.count {
            let next = j + 1
            if next == segments.count {
                distance += cycleNanos - segments[j].startNanos
                j = 0
            } else {
                distance += segments[next].startNanos - segments[j].startNanos
                j = next
            }
            if segments[j].aspect != current {
                let startOfCurrent = segments[i].startNanos
                return (distance - (p - startOfCurrent), segments[j].aspect)
            }
        }
        return nil
    }

    /// Builds every group's timeline from the phases.
    ///
    /// Layout of phase i: all-red, then (UK) red+amber for groups about to
    /// gain green, then green, then amber for groups about to lose it. A group
    /// green in both phase i and i+1 stays green through the clearance. The
    /// cycle starts at the all-red before the first phase, so whenever no
    /// group is green in both the last and first phase, position 0 is all-red:
    /// the instant where one plan can safely hand over to another.
    static func build(groupCount: Int, phases: [Phase], timing: ClearanceTiming,
                      sequence: AspectSequence) -> (cycleNanos: Int64, timelines: [GroupTimeline]) {
        let redAmber = sequence == .uk ? timing.redAmberNanos : 0
        var perGroup = Array(repeating: [Segment](), count: groupCount)
        func append(_ g: Int, _ start: Int64, _ aspect: Aspect) {
            if let last = perGroup[g].last, last.aspect == aspect { return }
            if let last = perGroup[g].last, last.startNanos == start {
                perGroup[g].removeLast()
                if let prior = perGroup[g].last, prior.aspect == aspect { return }
            }
            perGroup[g].append(Segment(startNanos: start, aspect: aspect))
        }
        let greenSets = phases.map { Set($0.greens) }
        var t: Int64 = 0
        for (i, phase) in phases.enumerated() {
            let previous = greenSets[(i + phases.count - 1) % phases.count]
            let mine = greenSets[i]
            let next = greenSets[(i + 1) % phases.count]
            let greenStart = t + timing.allRedNanos + redAmber
            let greenEnd = greenStart + phase.greenNanos
            for g in 0..<groupCount {
                let continuing = mine.contains(g) && previous.contains(g)
                if continuing {
                    append(g, t, .green)
                } else if mine.contains(g) {
                    append(g, t, .red)
                    if redAmber > 0 { append(g, t + timing.allRedNanos, .redAmber) }
                    append(g, greenStart, .green)
                } else {
                    append(g, t, .red)
                }
                if mine.contains(g) && !next.contains(g) {
                    append(g, greenEnd, .amber)
                }
            }
            t = greenEnd + timing.amberNanos
        }
        let timelines = perGroup.map { GroupTimeline(segments: $0, cycleNanos: t) }
        return (t, timelines)
    }
}
