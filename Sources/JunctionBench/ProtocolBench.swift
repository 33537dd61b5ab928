/// Benchmarks of the Protocol area; filled in by that area's owner.
enum ProtocolBench {
    static func run(into table: inout BenchTable) {}
}
