import JunctionCore
import Posix
import Testing

/// `junction plan` as a user runs it: the built binary, its exit status, and
/// its standard output and error captured separately to files.
@Suite("junction plan: check, show, example")
final class PlanCommandTests: Sendable {
    struct Run {
        var exit: ChildProcess.Exit?
        var out: String
        var err: String
        var errLines: [Substring] { err.split(separator: "\n") }
    }

    let directory: String
    let root = JunctionProcesses.root()

    init() throws { directory = try FileIO.makeTemporaryDirectory(prefix: "junction-plan-cli") }

    deinit {
        for name in FileIO.directoryEntries(directory) { FileIO.remove(directory + "/" + name) }
        FileIO.remove(directory)
    }

    /// Whether the binary exists; a test without it records one clear failure.
    func binaryPresent() -> Bool {
        let present = FileIO.modification(JunctionProcesses.binary()) != nil
        #expect(present, "build the junction executable first: swift build --product junction")
        return present
    }

    /// Runs `junction ARGS` in the package root through `sh`, only to send
    /// stdout and stderr to two files.
    func junction(_ arguments: [String]) throws -> Run {
        let out = directory + "/out", err = directory + "/err"
        FileIO.remove(out)
        FileIO.remove(err)
        let script = #"cd "$1" && out=$2 err=$3 && shift 3 && exec "$@" >"$out" 2>"$err""#
        let child = try ChildProcess.spawn("/bin/sh", arguments: ["-c", script, "sh", root, out, err, JunctionProcesses.binary()] + arguments)
        let exit = child.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 30 * .nanosPerSecond) ?? child.stop()
        func text(_ path: String) -> String { (try? FileIO.read(path)).map { String(decoding: $0, as: UTF8.self) } ?? "" }
        return Run(exit: exit, out: text(out), err: text(err))
    }

    func write(_ text: String, to name: String) throws -> String {
        let path = directory + "/" + name
        try FileIO.write(Array(text.utf8), to: path, mode: 0o644)
        return path
    }

    @Test func checkAcceptsTheShippedPlans() throws {
        guard binaryPresent() else { return }
        let run = try junction(["plan", "check", "plans/crossroads.json", "plans/corridor.json"])
        #expect(run.exit == .exited(0), "\(run.err)")
        #expect(run.err.isEmpty)
        let lines = run.out.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("plans/crossroads.json: ok") == true)
        #expect(lines.last?.hasPrefix("plans/corridor.json: ok") == true)
    }

    @Test func aBadPlanExitsOneWithOneLineNamingFileFieldAndRule() throws {
        guard binaryPresent() else { return }
        let bad = ExamplePlans.crossroads.replacing(#""green": ["walk"]"#, with: #""green": ["walk", "east-west"]"#)
        let path = try write(bad, to: "conflicting.json")
        let run = try junction(["plan", "check", "plans/corridor.json", path])
        #expect(run.exit == .exited(1))
        #expect(run.errLines.count == 1, "\(run.err)")
        let line = String(run.errLines.first ?? "")
        #expect(line.contains(path), "names the file: \(line)")
        #expect(line.contains("phases[2].green"), "names the field: \(line)")
        #expect(line.contains("[rule: conflicting-greens]"), "names the rule: \(line)")
        #expect(run.out.hasPrefix("plans/corridor.json: ok"), "the good plan is still checked")
    }

    @Test func malformedJSONGivesFileLineAndColumn() throws {
        guard binaryPresent() else { return }
        let path = try write("{\n  \"name\": \"x\",\n  oops\n}\n", to: "malformed.json")
        let run = try junction(["plan", "check", path])
        #expect(run.exit == .exited(1))
        #expect(run.errLines.count == 1)
        #expect(run.err.hasPrefix("junction: \(path):3:3: malformed JSON"), "\(run.err)")
    }

    @Test func showDrawsTheGreenWaveDownTheCorridor() throws {
        guard binaryPresent() else { return }
        let run = try junction(["plan", "show", "plans/corridor.json", "--no-colour"])
        #expect(run.exit == .exited(0), "\(run.err)")
        #expect(!run.out.contains("\u{1B}["), "no colour codes")
        let rows = run.out.split(separator: "\n").filter { $0.hasPrefix("j") && $0.contains(" main ") }
        #expect(rows.map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["j0", "j1", "j2", "j3"])
        guard rows.count == 4 else { return }
        /// The column of the first green after the row's leading red.
        func firstGreen(_ row: Substring) -> Int? {
            let cells = Array(row.dropFirst("j0 main  ".count).prefix(72))
            guard let red = cells.firstIndex(of: "R") else { return nil }
            return cells[red...].firstIndex(of: "G")
        }
        let greens = rows.map(firstGreen)
        #expect(greens.allSatisfy { $0 != nil }, "\(rows)")
        let g = greens.compactMap { $0 }
        // j3's offset (64.8 s) wraps modulo the 56 s cycle, so only j0 < j1 < j2 hold.
        if g.count == 4 { #expect(g[0] < g[1] && g[1] < g[2], "\(g)") }
        #expect(!rows[0].contains("offset"))
        #expect(rows[1].hasSuffix("offset 21.6 s"))
        #expect(rows[3].hasSuffix("offset 8.8 s"))
    }

    @Test func exampleCorridorIsTheShippedFile() throws {
        guard binaryPresent() else { return }
        let run = try junction(["plan", "example", "corridor"])
        #expect(run.exit == .exited(0))
        let file = try FileIO.read(root + "/plans/corridor.json")
        #expect(Array(run.out.utf8) == file)
    }

    @Test func anUnknownSubcommandIsAUsageError() throws {
        guard binaryPresent() else { return }
        let run = try junction(["plan", "frobnicate"])
        #expect(run.exit == .exited(2))
        #expect(run.err.contains("unknown subcommand 'frobnicate'"))
        #expect(run.out.isEmpty)
    }
}
