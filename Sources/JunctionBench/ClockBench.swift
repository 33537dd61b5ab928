/// Benchmarks of the Clock area; filled in by that area's owner.
enum ClockBench {
    static func run(into table: inout BenchTable) {}
}
