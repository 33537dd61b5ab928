/// Benchmarks of the Timer area; filled in by that area's owner.
enum TimerBench {
    static func run(into table: inout BenchTable) {}
}
