// Runs every area's benchmarks and prints one table. Pass area names to run a subset.
let requested = Set(CommandLine.arguments.dropFirst().map { $0.lowercased() })
func wanted(_ area: String) -> Bool { requested.isEmpty || requested.contains(area) }

var table = BenchTable()
if wanted("protocol") { ProtocolBench.run(into: &table) }
if wanted("clock") { ClockBench.run(into: &table) }
if wanted("timer") { TimerBench.run(into: &table) }
if wanted("simulation") { SimulationBench.run(into: &table) }
if wanted("loopback") { LoopbackBench.run(into: &table) }
if wanted("web") { WebBench.run(into: &table) }
print(table.render())
