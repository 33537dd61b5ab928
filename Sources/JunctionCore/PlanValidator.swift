/// The safety rules a decoded plan must meet before anything may run it.
///
/// Decoding already refused unknown or duplicate names and malformed values;
/// these are the rules about timing and conflicts. The last rule runs the
/// independent `ConflictMonitor` over the built timelines, so a bug in the
/// timeline builder cannot slip an unsafe plan past the per-field rules.
struct PlanValidator {
    let plan: SignalPlan
    let reader: PlanReader

    func validate() throws(PlanError) {
        try checkMinimumsAgainstHardFloors()
        try checkTimingAgainstMinimums()
        try checkPhases()
        try checkConflicts()
        try checkEveryGroupGetsGreen()
        try checkAllRedStart()
        try checkCycleLength()
        try checkMonitor()
    }

    private func checkMinimumsAgainstHardFloors() throws(PlanError) {
        let floors = ClearanceTiming.hardFloors
        let m = plan.minimums
        let pairs: [(String, Int64, Int64)] = [
            ("minimums.amber", m.amberNanos, floors.amberNanos),
            ("minimums.allRed", m.allRedNanos, floors.allRedNanos),
            ("minimums.minGreen", m.minGreenNanos, floors.minGreenNanos),
        ] + (plan.sequence == .uk ? [("minimums.redAmber", m.redAmberNanos, floors.redAmberNanos)] : [])
        for (field, value, floor) in pairs where value < floor {
            throw reader.fail(field, .hardFloor, "\(formatSeconds(value)) is below the hard floor of \(formatSeconds(floor)) that no plan may go under")
        }
    }

    private func checkTimingAgainstMinimums() throws(PlanError) {
        let t = plan.timing
        let m = plan.minimums
        let pairs: [(String, String, Int64, Int64)] = [
            ("timing.amber", "amber", t.amberNanos, m.amberNanos),
            ("timing.allRed", "all-red", t.allRedNanos, m.allRedNanos),
            ("timing.minGreen", "minimum green", t.minGreenNanos, m.minGreenNanos),
        ] + (plan.sequence == .uk ? [("timing.redAmber", "red+amber", t.redAmberNanos, m.redAmberNanos)] : [])
        for (field, what, value, minimum) in pairs where value < minimum {
            throw reader.fail(field, .minimumClearance, "\(what) of \(formatSeconds(value)) is below the minimum of \(formatSeconds(minimum))")
        }
    }

    private func checkPhases() throws(PlanError) {
        for (i, phase) in plan.phases.enumerated() {
            for c in plan.conflicts where phase.greens.contains(c.first) && phase.greens.contains(c.second) {
                throw reader.fail("phases[\(i)].green", .conflictingGreens,
                                  "\(plan.groups[c.first]) and \(plan.groups[c.second]) conflict and cannot be green together")
            }
            if phase.greenNanos < plan.timing.minGreenNanos {
                throw reader.fail("phases[\(i)].seconds", .minimumGreen,
                                  "green of \(formatSeconds(phase.greenNanos)) is shorter than the minimum green of \(formatSeconds(plan.timing.minGreenNanos))")
            }
        }
    }

    private func checkConflicts() throws(PlanError) {
        let given = plan.timing.interstageNanos(plan.sequence)
        let floor = plan.minimums.amberNanos + plan.minimums.allRedNanos
        for c in plan.conflicts {
            // Implied conflicts take the minimums' amber plus all-red, which
            // the timing already meets; only a declared one can fail here.
            guard let i = c.declared else { continue }
            let pair = "\(plan.groups[c.first]) / \(plan.groups[c.second])"
            if c.intergreenNanos < floor {
                throw reader.fail("conflicts[\(i)].intergreen", .intergreen,
                                  "required intergreen of \(formatSeconds(c.intergreenNanos)) for \(pair) is below minimum amber plus all-red (\(formatSeconds(floor)))")
            }
            if given < c.intergreenNanos {
                throw reader.fail("conflicts[\(i)].intergreen", .intergreen,
                                  "\(pair) needs \(formatSeconds(c.intergreenNanos)) between one losing green and the other gaining it, but the plan gives \(formatSeconds(given))")
            }
        }
    }

    private func checkEveryGroupGetsGreen() throws(PlanError) {
        for (g, name) in plan.groups.enumerated() where !plan.phases.contains(where: { $0.greens.contains(g) }) {
            throw reader.fail("groups[\(g)]", .neverGreen, "group \"\(name)\" is green in no phase")
        }
    }

    private func checkAllRedStart() throws(PlanError) {
        guard let first = plan.phases.first, let last = plan.phases.last else { return }
        for g in first.greens where last.greens.contains(g) {
            throw reader.fail("phases[\(plan.phases.count - 1)].green", .allRedStart,
                              "group \"\(plan.groups[g])\" is green in both the last and the first phase; the cycle must start all-red so that plans can hand over safely (merge the two phases)")
        }
    }

    private func checkCycleLength() throws(PlanError) {
        if plan.cycleNanos > SignalPlan.maximumCycleNanos {
            throw reader.fail("phases", .cycleTooLong, "the cycle of \(formatSeconds(plan.cycleNanos)) is longer than one hour")
        }
    }

    private func checkMonitor() throws(PlanError) {
        if let violation = ConflictMonitor(plan: plan).checkPlanTimelines().first {
            throw reader.fail("phases", .monitor, violation.description)
        }
    }
}
