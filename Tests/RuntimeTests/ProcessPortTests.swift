import Testing

/// The process tests' ports stay out of the kernel's ephemeral range. A CI
/// run failed once with exactly the five issues of a replacement coordinator
/// that could not bind its port; ports were then drawn from 20,000–50,000,
/// mostly inside the range, where any outgoing connection closed first
/// holds a port in TIME_WAIT for a minute.
struct ProcessPortTests {
    @Test func basePortsAvoidTheEphemeralRange() throws {
        let range = try #require(JunctionProcesses.ephemeralPortRange())
        for _ in 0..<1_000 {
            let base = Int(JunctionProcesses.randomBasePort())
            let highest = base + JunctionProcesses.portsAboveBase
            #expect(highest < range.lowerBound || base > range.upperBound, "ports \(base)...\(highest) overlap \(range)")
            #expect(base % 20 == 0 && base >= 10_000)
        }
    }
}
