// Runs every area's benchmarks and prints one table. Pass area names to run a
// subset. `JunctionBench sleeper ...` is the bare sleeping process that
// `scripts/bench lockstep` starts beside the agents (see Sleeper.swift).
import Posix

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "sleeper" { exitProcess(Sleeper.run(Array(arguments.dropFirst()))) }

let requested = Set(arguments.map { $0.lowercased() })
func wanted(_ area: String) -> Bool { requested.isEmpty || requested.contains(area) }

var table = BenchTable()
if wanted("protocol") { ProtocolBench.run(into: &table) }
if wanted("clock") { ClockBench.run(into: &table) }
if wanted("timer") { TimerBench.run(into: &table) }
if wanted("simulation") { SimulationBench.run(into: &table) }
if wanted("loopback") { LoopbackBench.run(into: &table) }
if wanted("web") { WebBench.run(into: &table) }
if wanted("scale") {
    let agents = FileIO.environment("JUNCTION_BENCH_AGENTS").flatMap { Int($0) } ?? 10_000
    ScaleBench.run(into: &table, agents: agents, seconds: 10)
}
print(table.render())
