import Posix
import Testing

/// The Kubernetes wiring without Kubernetes: `scripts/netns-cluster` puts the
/// coordinator and three agents in their own network namespaces, serves the
/// headless Services `agents` and `coordinator` from dnsmasq, and starts each
/// process with the manifests' environment only (no --agent/--coordinator
/// addresses), so discovery through DNS and the ordinal from the StatefulSet
/// hostname are what get tested. The script does the checks; a failure's
/// reason is in its output, printed here.
@Suite(.serialized)  // both tests use the same namespace names
struct NetnsClusterTests {
    static let runSeconds = 40

    /// True when this process runs as root: the real uid on the `Uid:` line
    /// of /proc/self/status.
    static var isRoot: Bool {
        guard let bytes = try? FileIO.read("/proc/self/status") else { return false }
        let uidLine = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("Uid:") }
        return uidLine?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first == "0"
    }

    static var hasDnsmasq: Bool {
        let path = (FileIO.environment("PATH") ?? "") + ":/usr/sbin:/sbin"
        return path.split(separator: ":").contains { FileIO.modification("\($0)/dnsmasq") != nil }
    }

    /// Runs the script and returns its exit and output; fails the test unless
    /// it exited 0. Exit 77 (namespaces unusable although root) passes with
    /// a note, as the script asks to skip.
    static func runScript(_ extra: [String] = []) throws {
        let directory = try FileIO.makeTemporaryDirectory(prefix: "junction-netns")
        defer {
            FileIO.remove(directory + "/output.log")
            FileIO.remove(directory)
        }
        let root = JunctionProcesses.root()
        let arguments = ["--agents", "3", "--seconds", "\(runSeconds)", "--binary", JunctionProcesses.binary()] + extra
        let script = try ChildProcess.spawn(root + "/scripts/netns-cluster", arguments: arguments, outputPath: directory + "/output.log")
        let deadline = MonotonicClock().nowNanos() + Int64(runSeconds + 60) * 1_000_000_000
        let exit = script.wait(untilMonotonicNanos: deadline) ?? script.stop()
        let output = (try? FileIO.read(directory + "/output.log")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        print(output)
        if exit == .exited(77) {
            print("netns-cluster skipped: network namespaces are not usable here")
            return
        }
        #expect(exit == .exited(0), "scripts/netns-cluster \(arguments.joined(separator: " ")): \(exit)\n\(output)")
    }

    // needs root (network namespaces); CI runs as root
    @Test(.enabled(if: isRoot, "needs root (network namespaces); CI runs as root"),
          .enabled(if: hasDnsmasq, "needs dnsmasq (apt-get install dnsmasq-base) to serve the Services' DNS"))
    func agentsLockThroughHeadlessServiceDNS() throws {
        try Self.runScript()
    }

    /// The coordinator pod is SIGKILLed and started again in the same
    /// namespace: agents ride through in holdover (no flash) and the new
    /// coordinator adopts the running timebase.
    // needs root (network namespaces); CI runs as root
    @Test(.enabled(if: isRoot, "needs root (network namespaces); CI runs as root"),
          .enabled(if: hasDnsmasq, "needs dnsmasq (apt-get install dnsmasq-base) to serve the Services' DNS"))
    func coordinatorRestartKeepsAgentsInHoldover() throws {
        try Self.runScript(["--restart-coordinator-at", "15"])
    }
}
