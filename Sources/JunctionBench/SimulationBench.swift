/// Benchmarks of the Simulation area; filled in by that area's owner.
enum SimulationBench {
    static func run(into table: inout BenchTable) {}
}
