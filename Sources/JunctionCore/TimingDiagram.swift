/// A text timing diagram of one cycle: a row per group of each junction,
/// time across, so that a person can read a plan and see a green wave step
/// from one junction to the next.
public struct TimingDiagram: Sendable {
    public var plan: SignalPlan
    /// Columns for one cycle.
    public var width: Int
    /// ANSI colour blocks instead of letters.
    public var colour: Bool

    public init(plan: SignalPlan, width: Int = 72, colour: Bool = false) {
        self.plan = plan
        self.width = max(12, min(width, 400))
        self.colour = colour
    }

    /// The letter for an aspect in plain mode.
    public static func letter(_ aspect: Aspect) -> Character {
        switch aspect {
        case .off: " "
        case .red: "R"
        case .redAmber: "r"
        case .green: "G"
        case .amber: "A"
        case .flashingAmber: "a"
        case .flashingRed: "f"
        }
    }

    private func cell(_ aspect: Aspect) -> String {
        guard colour else { return String(Self.letter(aspect)) }
        switch aspect {
        case .off: return " "
        case .red: return "\u{1B}[41m \u{1B}[0m"
        case .redAmber: return "\u{1B}[31;43m\u{2580}\u{1B}[0m"
        case .green: return "\u{1B}[42m \u{1B}[0m"
        case .amber: return "\u{1B}[43m \u{1B}[0m"
        case .flashingAmber: return "\u{1B}[33m\u{2591}\u{1B}[0m"
        case .flashingRed: return "\u{1B}[31m\u{2591}\u{1B}[0m"
        }
    }

    public func render() -> String {
        let cycle = plan.cycleNanos
        let junctionCount = plan.junctions.count
        var labels: [(String, HeadAssignment)] = []
        // Several junctions: one block per group, junctions in corridor order,
        // so a green wave reads as a diagonal.
        for g in plan.groups.indices {
            for j in 0..<junctionCount {
                labels.append(("\(plan.junctions[j].name) \(plan.groups[g])", plan.assignment(junction: j, group: g)))
            }
        }
        let labelWidth = labels.map(\.0.count).max() ?? 0
        var lines: [String] = []
        lines.append("plan \"\(plan.name)\": \(plan.sequence.rawValue) sequence, cycle \(formatSeconds(cycle)), \(plan.phases.count) phases, \(junctionCount) junction\(junctionCount == 1 ? "" : "s")")
        let t = plan.timing
        lines.append("timing: amber \(formatSeconds(t.amberNanos))" + (plan.sequence == .uk ? ", red+amber \(formatSeconds(t.redAmberNanos))" : "")
            + ", all-red \(formatSeconds(t.allRedNanos)), minimum green \(formatSeconds(t.minGreenNanos)); flash: \(plan.flashAspect)")
        lines.append(pad("", labelWidth) + "  " + axis(cycle: cycle))
        var previousGroup = -1
        for (label, head) in labels {
            if junctionCount > 1 && head.group != previousGroup && previousGroup >= 0 { lines.append("") }
            previousGroup = head.group
            var row = ""
            for c in 0..<width {
                // Sample the middle of each column so short clearances still show.
                let at = TimebaseInstant(nanos: (Int64(c) * cycle + cycle / 2) / Int64(width))
                row += cell(plan.aspect(of: head, at: at, anchor: TimebaseInstant(nanos: 0)))
            }
            let offset = head.offsetNanos == 0 ? "" : "  offset \(formatSeconds(head.offsetNanos))"
            lines.append(pad(label, labelWidth) + "  " + row + offset)
        }
        lines.append("")
        lines.append(colour
            ? "legend: " + [Aspect.red, .redAmber, .green, .amber].map { "\(cell($0)) \($0)" }.joined(separator: "  ")
            : "legend: R red, r red+amber, G green, A amber; one column = \(formatSeconds(cycle / Int64(width) / .nanosPerMillisecond * .nanosPerMillisecond))")
        return lines.joined(separator: "\n")
    }

    private func axis(cycle: Int64) -> String {
        var marks = Array(repeating: Character(" "), count: width)
        let stepSeconds: Int64 = cycle > 300 * .nanosPerSecond ? 60 : (cycle > 120 * .nanosPerSecond ? 30 : 10)
        var s: Int64 = 0
        while s * .nanosPerSecond < cycle {
            let column = Int(s * .nanosPerSecond * Int64(width) / cycle)
            let text = Array("\(s)s")
            if column + text.count <= width && (column == 0 || marks[column - 1] == " ") {
                for (k, ch) in text.enumerated() { marks[column + k] = ch }
            }
            s += stepSeconds
        }
        return String(marks)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
