import Posix
import Testing

/// Bad flags, keys and plans: one clear line naming the problem, non-zero exit.
@Suite(.serialized)
struct BadConfigurationTests {
    /// Runs the binary to completion; returns its exit and output lines.
    func run(_ arguments: [String], in processes: JunctionProcesses) throws -> (ChildProcess.Exit?, [String]) {
        let log = "run-\(UInt32.random(in: 0...UInt32.max)).log"
        let child = try processes.run(arguments, log: log)
        let exit = child.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 10_000_000_000)
        if exit == nil { child.stop() }
        return (exit, processes.log(log).split(separator: "\n").map(String.init))
    }

    @Test func refusesBadOptionsWithOneLine() throws {
        let p = try JunctionProcesses(name: "badconfig")
        defer { p.cleanUp() }
        let short = p.directory + "/short.key"
        try FileIO.write(Array("tooshort".utf8), to: short)
        let badPlan = p.directory + "/bad.json"
        try FileIO.write(Array("{\"name\": \"x\", \"groups\": [".utf8), to: badPlan)
        let invalidPlan = p.directory + "/invalid.json"
        try FileIO.write(Array("{\"name\": \"x\"}".utf8), to: invalidPlan)
        let cases: [([String], Int32, String)] = [
            (["agent", "--port", "seventy", "--insecure"], 2, "--port"),
            (["agent", "--bogus"], 2, "--bogus"),
            (["agent", "--http-port", "0"], 2, "--key-file"),
            (["agent", "--key-file", short, "--http-port", "0"], 1, "bytes"),
            (["agent", "--key-file", p.directory + "/missing.key"], 1, "--key-file"),
            (["agent", "--insecure", "--output", "lasers"], 2, "--output"),
            (["agent", "--insecure", "--output", "record", "--http-port", "0"], 2, "--record"),
            (["agent", "--insecure", "--shutdown-aspect", "green"], 2, "--shutdown-aspect"),
            (["agent", "--insecure", "--coordinator", "nohost"], 2, "--coordinator"),
            (["agent", "--insecure", "--output", "gpio", "--chip", "/dev/gpiochip-missing", "--http-port", "0", "--port", "\(p.basePort)"], 1, "gpiochip-missing"),
            (["coordinator", "--insecure"], 2, "--plan"),
            (["coordinator", "--insecure", "--plan", p.directory + "/nope.json"], 1, "nope.json"),
            (["coordinator", "--insecure", "--plan", badPlan, "--http-port", "0"], 1, "bad.json"),
            (["coordinator", "--insecure", "--plan", invalidPlan, "--http-port", "0"], 1, "invalid.json"),
            (["coordinator", "--insecure", "--plan", p.planPath, "--tick-rate", "0"], 2, "--tick-rate"),
            (["coordinator", "--insecure", "--plan", p.planPath, "--log-format", "xml"], 2, "--log-format"),
            (["gpio", "test", "--pins", "2,3"], 2, "--pins"),
            (["simulate", "--agents", "0"], 2, "--agents"),
        ]
        for (arguments, code, mention) in cases {
            let (exit, lines) = try run(arguments, in: p)
            #expect(exit == .exited(code), "\(arguments): \(String(describing: exit)) \(lines)")
            #expect(lines.count == 1, "\(arguments) printed \(lines.count) lines: \(lines)")
            #expect(lines.first?.contains(mention) == true, "\(arguments): \(lines)")
        }
    }

    @Test func helpExitsZero() throws {
        let p = try JunctionProcesses(name: "help")
        defer { p.cleanUp() }
        for command in [["agent"], ["coordinator"], ["gpio", "test"], ["simulate"]] {
            let (exit, lines) = try run(command + ["--help"], in: p)
            #expect(exit == .exited(0), "\(command)")
            #expect(lines.contains { $0.contains("usage: junction") }, "\(command): \(lines)")
        }
    }
}
