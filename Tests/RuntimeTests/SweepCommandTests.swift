import Posix
import Testing

/// `junction simulate --virtual --sweep N` as a user runs it: every seed from
/// --seed on is run (split across --jobs threads), and the closing tally
/// names the range and how many passed. A passing sweep prints no FAIL lines
/// and exits 0.
@Suite("junction simulate --virtual --sweep")
struct SweepCommandTests {
    @Test func aSweepRunsEverySeedOnTwoThreadsAndTalliesThem() throws {
        let binary = JunctionProcesses.binary()
        try #require(FileIO.modification(binary) != nil, "build the junction executable first: swift build --product junction")
        let directory = try FileIO.makeTemporaryDirectory(prefix: "junction-sweep-cli")
        defer {
            for name in FileIO.directoryEntries(directory) { FileIO.remove(directory + "/" + name) }
            FileIO.remove(directory)
        }
        let out = directory + "/out"
        let script = #"out=$1 && shift && exec "$@" >"$out" 2>&1"#
        let child = try ChildProcess.spawn("/bin/sh", arguments: ["-c", script, "sh", out, binary, "simulate", "--virtual",
                                                                  "--sweep", "6", "--seed", "11", "--jobs", "2", "--hours", "0.01"])
        let exit = child.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 300 * 1_000_000_000)
        let text = String(decoding: (try? FileIO.read(out)) ?? [], as: UTF8.self)
        #expect(exit == .exited(0), "\(text)")
        #expect(text.contains("sweep: seeds 11...16, 6 passed, 0 failed"), "\(text)")
        #expect(text.contains("2 jobs"), "\(text)")
        #expect(!text.contains("FAIL"), "\(text)")
    }
}
