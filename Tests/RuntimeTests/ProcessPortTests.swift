import Posix
import Testing

/// The process tests' ports stay out of the kernel's ephemeral range. A CI
/// run failed once with exactly the five issues of a replacement coordinator
/// that could not bind its port; ports were then drawn from 20,000–50,000,
/// mostly inside the range, where any outgoing connection closed first
/// holds a port in TIME_WAIT for a minute.
struct ProcessPortTests {
    @Test func basePortsAvoidTheEphemeralRange() throws {
        let text = try FileIO.read("/proc/sys/net/ipv4/ip_local_port_range")
        let range = String(decoding: text, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        try #require(range.count == 2)
        for _ in 0..<1_000 {
            let base = Int(JunctionProcesses.randomBasePort())
            // The simulate tests use up to base + 3,100.
            let highest = base + 3_100
            #expect(highest < range[0] || base > range[1], "ports \(base)...\(highest) overlap \(range[0])...\(range[1])")
            #expect(base % 20 == 0 && base >= 10_000)
        }
    }
}
