import GPIO
import JunctionCore
import Posix
import Testing

/// Starts and watches `junction` processes for the multi-process tests.
///
/// The binary is `$JUNCTION_BINARY` if set, else `.build/debug/junction` of
/// this package (found from `#filePath`). `swift build` (or `swift test`,
/// which builds every target) must have run first; `.ci/run` builds the
/// product before testing so the binary is never stale.
struct JunctionProcesses {
    let directory: String
    let keyPath: String
    let basePort: UInt16
    let packageRoot: String

    static func binary(file: String = #filePath) -> String {
        if let path = FileIO.environment("JUNCTION_BINARY") { return path }
        return root(file: file) + "/.build/debug/junction"
    }

    static func root(file: String = #filePath) -> String {
        var parts = file.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/RuntimeTests/<file>.swift
        return parts.joined(separator: "/")
    }

    /// A temporary directory with a fresh random key, and a random port
    /// range so parallel runs on one machine do not collide.
    init(name: String) throws {
        directory = try FileIO.makeTemporaryDirectory(prefix: "junction-\(name)")
        keyPath = directory + "/junction.key"
        try FileIO.write((0..<32).map { _ in UInt8.random(in: 0...255) }, to: keyPath, mode: 0o600)
        basePort = Self.randomBasePort()
        packageRoot = Self.root()
        #expect(FileIO.modification(Self.binary()) != nil, "build the junction executable first: swift build --product junction")
    }

    /// The ports the simulate tests use above the base (up to base + 3,100).
    static let portsAboveBase = 3_100

    /// The kernel's ephemeral port range (`ip_local_port_range`), if readable.
    static func ephemeralPortRange() -> ClosedRange<Int>? {
        guard let bytes = try? FileIO.read("/proc/sys/net/ipv4/ip_local_port_range") else { return nil }
        let numbers = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard numbers.count == 2, numbers[0] <= numbers[1] else { return nil }
        return numbers[0]...numbers[1]
    }

    /// A multiple of 20 below the kernel's ephemeral port range (32768–60999
    /// by default), with room for `portsAboveBase`. Why: a port in that range
    /// can be held by any socket bound to port 0 or any outgoing connection on
    /// the machine, and a client connection closed first sits in TIME_WAIT on
    /// it for a minute; a coordinator restarted on such a port cannot bind it
    /// (the parallel suites make hundreds of HTTP polls).
    static func randomBasePort() -> UInt16 {
        let range = ephemeralPortRange() ?? 32_768...60_999
        let room = portsAboveBase + 100
        if range.lowerBound - room > 10_000 { return UInt16(Int.random(in: 10_000...(range.lowerBound - room)) / 20 * 20) }
        if range.upperBound + 20 < 65_535 - room { return UInt16(Int.random(in: (range.upperBound + 20)...(65_535 - room)) / 20 * 20) }
        return UInt16.random(in: 20_000...50_000) / 20 * 20
    }

    var coordinatorPort: UInt16 { basePort + 19 }
    var coordinatorHTTPPort: UInt16 { basePort + 18 }
    func agentPort(_ ordinal: Int) -> UInt16 { basePort + UInt16(ordinal) }
    func agentHTTPPort(_ ordinal: Int) -> UInt16 { basePort + 10 + UInt16(ordinal) }
    var planPath: String { packageRoot + "/plans/crossroads.json" }

    func run(_ arguments: [String], log: String) throws -> ChildProcess {
        try ChildProcess.spawn(Self.binary(), arguments: arguments, outputPath: directory + "/" + log)
    }

    func startCoordinator(agents: [Int], log: String = "coordinator.log", plan: String? = nil) throws -> ChildProcess {
        var args = ["coordinator", "--plan", plan ?? planPath, "--key-file", keyPath, "--listen", "127.0.0.1",
                    "--port", "\(coordinatorPort)", "--http-port", "\(coordinatorHTTPPort)", "--parent-pid", "\(ChildProcess.currentID)"]
        for ordinal in agents { args += ["--agent", "127.0.0.1:\(agentPort(ordinal))"] }
        return try run(args, log: log)
    }

    /// Agents run as the privileged overlay deploys them, with `--realtime`
    /// (the timing thread on SCHED_FIFO, memory locked), where the process
    /// may (root; CI runs as root). Without it, on a machine loaded by the
    /// parallel suites, the scheduler can preempt the timing thread between
    /// deciding a change and driving the lamp: a rehearsal under load saw a
    /// green start 30 ms after its instant, its amber on time.
    static let realtimeAgents = isRoot && fifoSchedulingAllowed

    /// Whether SCHED_FIFO may be set here (`chrt -f 1 true`): root in a
    /// container without CAP_SYS_NICE, or in a cgroup without real-time
    /// runtime, may not; the agents then run with default scheduling.
    static var fifoSchedulingAllowed: Bool {
        guard let chrt = ["/usr/bin/chrt", "/bin/chrt"].first(where: { FileIO.modification($0) != nil }),
              let child = try? ChildProcess.spawn(chrt, arguments: ["-f", "1", "true"], outputPath: "/dev/null") else { return false }
        let allowed = child.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 5_000_000_000) == .exited(0)
        if !allowed { print("note: SCHED_FIFO is refused here; agents in the process tests run with default scheduling") }
        return allowed
    }

    /// True when this process runs as root: the real uid on the `Uid:` line
    /// of /proc/self/status.
    static var isRoot: Bool {
        guard let bytes = try? FileIO.read("/proc/self/status") else { return false }
        let uidLine = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("Uid:") }
        return uidLine?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first == "0"
    }

    func startAgent(_ ordinal: Int, driftPPM: Double, recording: String, shutdown: String = "red", extra: [String] = []) throws -> ChildProcess {
        try run(["agent", "--ordinal", "\(ordinal)", "--listen", "127.0.0.1", "--port", "\(agentPort(ordinal))",
                 "--coordinator", "127.0.0.1:\(coordinatorPort)", "--key-file", keyPath, "--output", "record",
                 "--record", directory + "/" + recording, "--shutdown-aspect", shutdown, "--http-port", "\(agentHTTPPort(ordinal))",
                 "--clock-drift-ppm", "\(driftPPM)", "--parent-pid", "\(ChildProcess.currentID)"]
                + (Self.realtimeAgents ? ["--realtime"] : []) + extra,
                log: recording + ".log")
    }

    /// A two-group UK plan with a 28 s cycle (7 s greens, 3 s amber); every
    /// ordinal but 1 shows group "a". Written into the directory; returns its path.
    func writeShortPlan() throws -> String {
        let heads = ["a", "b", "a", "a", "a", "a", "a", "a"].map { "{ \"junction\": \"main\", \"group\": \"\($0)\" }" }
        let text = "{ \"name\": \"short\", \"sequence\": \"uk\", \"timing\": { \"amber\": 3, \"redAmber\": 2, \"allRed\": 2, \"minGreen\": 7 },"
            + " \"groups\": [\"a\", \"b\"], \"conflicts\": [[\"a\", \"b\"]],"
            + " \"phases\": [{ \"name\": \"a\", \"green\": [\"a\"], \"seconds\": 7 }, { \"name\": \"b\", \"green\": [\"b\"], \"seconds\": 7 }],"
            + " \"junctions\": [{ \"name\": \"main\" }], \"heads\": [\(heads.joined(separator: ", "))], \"scaling\": \"mirror\", \"flash\": \"red\" }"
        let path = directory + "/short.json"
        try FileIO.write(Array(text.utf8), to: path)
        return path
    }

    /// The recorded aspect changes of one file, in order.
    func recording(_ name: String) -> [RecordedAspect] {
        guard let bytes = try? FileIO.read(directory + "/" + name) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { RecordedAspect(jsonLine: String($0)) }
    }

    func log(_ name: String) -> String {
        (try? FileIO.read(directory + "/" + name)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Removes the directory; `JUNCTION_TEST_KEEP=1` keeps it (logs,
    /// recordings) and prints where, for looking into a run afterwards.
    func cleanUp() {
        if FileIO.environment("JUNCTION_TEST_KEEP") != nil { print("kept \(directory)"); return }
        for name in FileIO.directoryEntries(directory) { FileIO.remove(directory + "/" + name) }
        FileIO.remove(directory)
    }
}

/// Waits for a condition, checking every 20 ms, until a deadline: the tests
/// wait on observable state, never on a fixed sleep.
@discardableResult
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let clock = MonotonicClock()
    let deadline = clock.nowNanos() + Int64(seconds * 1e9)
    while clock.nowNanos() < deadline {
        if condition() { return true }
        clock.sleep(untilNanos: min(deadline, clock.nowNanos() + 20_000_000))
    }
    return condition()
}

/// Now on the recordings' clock: `CLOCK_MONOTONIC_RAW`, which every process
/// on the machine shares and no NTP slew bends (as the runtimes' clocks).
/// Only for comparing with recorded instants; waits and sleeps stay on
/// `CLOCK_MONOTONIC`.
func recordingNowNanos() -> Int64 { MonotonicClock().rawNanos() }

/// Sleeps until an absolute point of a scenario (the scenario's schedule,
/// not a wait for a result).
func sleep(untilMonotonic deadline: Int64) { MonotonicClock().sleep(untilNanos: deadline) }

func httpStatus(port: UInt16, path: String) -> Int? {
    (try? HTTPClient.get(port: port, path: path, timeoutNanos: 200_000_000))??.status
}

func httpBody(port: UInt16, path: String) -> String? {
    (try? HTTPClient.get(port: port, path: path, timeoutNanos: 500_000_000))??.text
}

/// Sums the samples of one metric in a Prometheus text body.
func metricSum(_ text: String, _ name: String, label: String? = nil) -> Double {
    var total = 0.0
    for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
        if let label, !line.contains(label) { continue }
        if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { total += value }
    }
    return total
}
