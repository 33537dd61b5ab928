import Testing
@testable import JunctionCore

/// Seeded property tests: thousands of random valid plans pass the conflict
/// monitor, and random rule-breaking mutations of them are refused.
@Suite("Plan properties (seeded)")
struct PlanPropertyTests {
    struct RandomPlan {
        var groups: [String]
        var conflicts: [(Int, Int)]
        var phases: [[Int]]
        var greens: [Int]
        var amber: Int
        var allRed: Int
        var redAmber: Int
        var sequence: String

        func json(overrideTiming: String? = nil, extraPhase: String? = nil) -> String {
            let g = groups.map { "\"\($0)\"" }.joined(separator: ", ")
            let c = conflicts.map { "[\"\(groups[$0.0])\", \"\(groups[$0.1])\"]" }.joined(separator: ", ")
            var p = zip(phases, greens).map { phase, seconds in
                "{\"green\": [\(phase.map { "\"\(groups[$0])\"" }.joined(separator: ", "))], \"seconds\": \(seconds)}"
            }
            if let extraPhase { p.append(extraPhase) }
            let redAmberText = sequence == "uk" ? ", \"redAmber\": \(redAmber)" : ""
            let timing = overrideTiming ?? "{\"amber\": \(amber), \"allRed\": \(allRed)\(redAmberText), \"minGreen\": 5}"
            return """
            {"sequence": "\(sequence)", "timing": \(timing), "groups": [\(g)], "conflicts": [\(c)],
             "phases": [\(p.joined(separator: ", "))], "heads": [{"group": "\(groups[0])"}]}
            """
        }
    }

    static func randomPlan(_ rng: inout SeededRandom) -> RandomPlan {
        let n = Int.random(in: 2...8, using: &rng)
        let groups = (0..<n).map { "g\($0)" }
        var conflicts: [(Int, Int)] = []
        for a in 0..<n { for b in (a + 1)..<n where Bool.random(using: &rng) { conflicts.append((a, b)) } }
        if conflicts.isEmpty { conflicts.append((0, 1)) }
        func compatible(_ set: [Int], _ g: Int) -> Bool {
            !conflicts.contains { ($0.0 == g && set.contains($0.1)) || ($0.1 == g && set.contains($0.0)) }
        }
        var phases: [[Int]] = []
        var uncovered = Set(0..<n)
        while !uncovered.isEmpty || phases.count < 2 {
            var phase: [Int] = []
            let seed = uncovered.randomElement(using: &rng) ?? Int.random(in: 0..<n, using: &rng)
            phase.append(seed)
            for g in (0..<n).shuffled(using: &rng) where g != seed && Bool.random(using: &rng) && compatible(phase, g) {
                phase.append(g)
            }
            phases.append(phase)
            uncovered.subtract(phase)
        }
        // The cycle must start all-red: drop groups from the last phase that are
        // green in the first, or add a separating phase when that empties it.
        let first = Set(phases[0])
        var last = phases[phases.count - 1].filter { !first.contains($0) }
        if last.isEmpty {
            let candidates = (0..<n).filter { !first.contains($0) }
            last = [candidates.randomElement(using: &rng)!]
        }
        phases[phases.count - 1] = last
        let greens = phases.map { _ in Int.random(in: 5...40, using: &rng) }
        return RandomPlan(groups: groups, conflicts: conflicts, phases: phases, greens: greens,
                          amber: Int.random(in: 3...6, using: &rng), allRed: Int.random(in: 1...4, using: &rng),
                          redAmber: Int.random(in: 1...3, using: &rng), sequence: Bool.random(using: &rng) ? "uk" : "us")
    }

    @Test func randomValidPlansPassTheMonitor() throws {
        var rng = SeededRandom(seed: 0x5EED_0001)
        for index in 0..<2_000 {
            let random = Self.randomPlan(&rng)
            let text = random.json()
            let plan: SignalPlan
            do {
                plan = try SignalPlan.load(Array(text.utf8), source: "random-\(index).json")
            } catch {
                Issue.record("plan \(index) refused: \(error)\n\(text)")
                return
            }
            #expect(ConflictMonitor(plan: plan).checkPlanTimelines().isEmpty)
            // Brute-force sampling, independent of the monitor: no two
            // conflicting groups are green at any sampled instant.
            for _ in 0..<20 {
                let t = TimebaseInstant(nanos: Int64.random(in: 0..<(plan.cycleNanos * 3), using: &rng))
                let green = plan.groups.indices.filter {
                    plan.aspect(of: plan.assignment(junction: 0, group: $0), at: t, anchor: TimebaseInstant(nanos: 0)) == .green
                }
                for c in plan.conflicts {
                    #expect(!(green.contains(c.first) && green.contains(c.second)), "plan \(index) at \(t)")
                }
            }
        }
    }

    @Test func randomMutationsAreRefused() throws {
        var rng = SeededRandom(seed: 0x5EED_0002)
        for index in 0..<2_000 {
            let random = Self.randomPlan(&rng)
            let (a, b) = random.conflicts.randomElement(using: &rng)!
            let mutations: [(String, PlanRule)] = [
                (random.json(extraPhase: "{\"green\": [\"\(random.groups[a])\", \"\(random.groups[b])\"], \"seconds\": 10}"), .conflictingGreens),
                (random.json(overrideTiming: "{\"amber\": 2, \"allRed\": 2, \"minGreen\": 5}"), .minimumClearance),
                (random.json(overrideTiming: "{\"amber\": 3, \"allRed\": 0.25, \"minGreen\": 5}"), .minimumClearance),
                (random.json(extraPhase: "{\"green\": [\"\(random.groups[a])\"], \"seconds\": 4}"), .minimumGreen),
                (random.json(extraPhase: "{\"green\": [\"nowhere\"], \"seconds\": 10}"), .unknownName),
                (random.json(extraPhase: "{\"green\": [\"\(random.groups[a])\"], \"seconds\": 0}"), .badDuration),
            ]
            let (text, rule) = mutations.randomElement(using: &rng)!
            do {
                _ = try SignalPlan.load(Array(text.utf8), source: "mutant-\(index).json")
                Issue.record("mutant \(index) accepted; expected \(rule)\n\(text)")
                return
            } catch {
                #expect(error.rule == rule, "mutant \(index): \(error)")
            }
        }
    }
}
