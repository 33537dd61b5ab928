import GPIO
import JunctionCore

/// One head's cycle from the plan: what the recordings are checked against.
struct PlanTimeline {
    struct Segment {
        var startNanos: Int64
        var lengthNanos: Int64
        var aspect: Aspect
        var next: Aspect
    }

    let cycleNanos: Int64
    let segments: [Segment]

    init(plan: SignalPlan, ordinal: Int) {
        let head = plan.head(board: nil, ordinal: ordinal)!
        cycleNanos = plan.cycleNanos
        var changes: [(Int64, Aspect)] = []
        var t = TimebaseInstant(nanos: -1)
        while let next = plan.nextChange(of: head, after: t, anchor: TimebaseInstant(nanos: 0)), next.at.nanos < plan.cycleNanos {
            changes.append((next.at.nanos, next.aspect))
            t = next.at
        }
        segments = changes.indices.map { i in
            let (start, aspect) = changes[i]
            let end = i + 1 < changes.count ? changes[i + 1].0 : changes[0].0 + plan.cycleNanos
            return Segment(startNanos: start, lengthNanos: end - start, aspect: aspect, next: changes[(i + 1) % changes.count].1)
        }
    }

    /// A change to `aspect`, followed after `durationNanos` by a change to
    /// `next`: the segment it is, if the plan has one like it.
    func segment(aspect: Aspect, next: Aspect, durationNanos: Int64, toleranceNanos: Int64) -> Segment? {
        segments.first { $0.aspect == aspect && $0.next == next && abs($0.lengthNanos - durationNanos) <= toleranceNanos }
    }

    /// A matched change: when it happened (shared monotonic clock) and where
    /// the cycle starts by it (`t - segment start`).
    struct Match {
        var monotonicNanos: Int64
        var aspect: Aspect
        var originNanos: Int64
    }

    /// Checks a recording: from the first change that starts a chain of
    /// plan-conforming segments, every later segment must conform (no missed
    /// or extra change). The last change (the shutdown, or a kill) ends the
    /// chain without a length. Returns the matches and the failures.
    ///
    /// Up to the end of the head's first green the changes may be its join:
    /// a head joins through a full red+amber from the instant it may, and
    /// its first green then ends at the plan's end of green, shortened. So
    /// those segments never fail the check, and one whose length is the
    /// plan's counts as a match only if its cycle origin agrees (within the
    /// tolerance) with the first match after the join, whose instants are
    /// the plan's; without one, it does not count. (Before this, a join 120 ms into the plan's red+amber
    /// would have read as a 120 ms timebase step and a missed change.)
    func check(_ records: [RecordedAspect], toleranceNanos: Int64) -> (matches: [Match], skipped: Int, failures: [String]) {
        var matches: [Match] = []
        var joining: [Match] = []
        var failures: [String] = []
        var started = false
        var skipped = 0
        guard records.count >= 2 else { return ([], records.count, ["too few changes: \(records.count)"]) }
        let joinEnds = records.firstIndex { $0.aspect == .green } ?? -1
        for i in 0..<(records.count - 1) {
            let a = records[i], b = records[i + 1]
            let d = b.monotonicNanos - a.monotonicNanos
            let s = segment(aspect: a.aspect, next: b.aspect, durationNanos: d, toleranceNanos: toleranceNanos)
            if i <= joinEnds && !started {
                if let s { joining.append(Match(monotonicNanos: a.monotonicNanos, aspect: a.aspect, originNanos: a.monotonicNanos - s.startNanos)) }
                skipped += 1
            } else if let s {
                started = true
                matches.append(Match(monotonicNanos: a.monotonicNanos, aspect: a.aspect, originNanos: a.monotonicNanos - s.startNanos))
            } else if !started {
                skipped += 1
            } else if i + 1 < records.count - 1 {
                failures.append("change \(i): \(a.aspect) for \(Double(d) / 1e6) ms then \(b.aspect) is not in the plan")
            }
        }
        // The join's plan-length segments that sit on the plan's instants
        // (none can be shown to, without a later match to hold them to).
        let kept = joining.filter { join in
            guard let reference = matches.first else { return false }
            var d = floorMod(join.originNanos - reference.originNanos, cycleNanos)
            if d > cycleNanos / 2 { d -= cycleNanos }
            return abs(d) <= toleranceNanos
        }
        skipped -= kept.count
        return (kept + matches, skipped, failures)
    }
}

/// The largest difference of cycle origins between changes of different
/// recordings that happened within `windowNanos` of each other.
func maximumSkewNanos(_ runs: [[PlanTimeline.Match]], cycleNanos: Int64, windowNanos: Int64 = 20_000_000_000) -> (skew: Int64, pairs: Int) {
    var worst: Int64 = 0
    var pairs = 0
    for i in runs.indices {
        for j in runs.indices where j > i {
            for a in runs[i] {
                for b in runs[j] where abs(a.monotonicNanos - b.monotonicNanos) <= windowNanos {
                    var d = floorMod(a.originNanos - b.originNanos, cycleNanos)
                    if d > cycleNanos / 2 { d -= cycleNanos }
                    worst = max(worst, abs(d))
                    pairs += 1
                }
            }
        }
    }
    return (worst, pairs)
}

/// The spread of the recordings' median cycle origins: one timebase for all
/// heads, whatever a single late change does. A loaded machine can wake a
/// timing thread tens of ms late (11.2 ms was seen in a rehearsal), which
/// moves that change's origin but no head's median; a head on another
/// timebase moves all of its changes, and so its median.
func medianOriginSpreadNanos(_ runs: [[PlanTimeline.Match]], cycleNanos: Int64) -> Int64 {
    guard let reference = runs.lazy.compactMap(\.first).first?.originNanos else { return 0 }
    let medians = runs.filter { !$0.isEmpty }.map { run -> Int64 in
        let offsets = run.map { m -> Int64 in
            var d = floorMod(m.originNanos - reference, cycleNanos)
            if d > cycleNanos / 2 { d -= cycleNanos }
            return d
        }.sorted()
        return offsets[offsets.count / 2]
    }
    return (medians.max() ?? 0) - (medians.min() ?? 0)
}
