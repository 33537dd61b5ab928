// JunctionBench: speed and memory goals live here, not in timed unit tests.
// Run with `scripts/bench` (a release build); it prints one table.

/// One measured row: what, how much, and the goal it is held against.
struct BenchRow {
    var area: String
    var name: String
    var value: Double
    var unit: String
    /// Human-readable goal such as "< 5 us"; empty when there is none.
    var goal: String
    /// Whether the value meets the goal (nil when there is no goal).
    var met: Bool?
}

/// Collects rows and prints them aligned.
struct BenchTable {
    var rows: [BenchRow] = []

    mutating func add(_ area: String, _ name: String, _ value: Double, _ unit: String, goal: String = "", met: Bool? = nil) {
        rows.append(BenchRow(area: area, name: name, value: value, unit: unit, goal: goal, met: met))
    }

    func render() -> String {
        let header = ["area", "measure", "value", "unit", "goal", "ok"]
        var lines: [[String]] = [header]
        for r in rows {
            let value = r.value >= 100 ? String(Int(r.value.rounded())) : String(format3(r.value))
            lines.append([r.area, r.name, value, r.unit, r.goal, r.met.map { $0 ? "yes" : "NO" } ?? ""])
        }
        var widths = Array(repeating: 0, count: header.count)
        for l in lines { for (i, c) in l.enumerated() { widths[i] = max(widths[i], c.count) } }
        return lines.map { l in
            l.enumerated().map { i, c in c + String(repeating: " ", count: widths[i] - c.count) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    private func format3(_ v: Double) -> String {
        let scaled = (v * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
