import Posix
import Runtime
import Testing

/// The deployment's contract with the binary: the version the manifests
/// name, the build-info metric, and the real-time options' usage errors.
@Suite struct DeployCommandTests {
    static func run(_ arguments: [String]) throws -> (exit: ChildProcess.Exit?, output: String) {
        let directory = try FileIO.makeTemporaryDirectory(prefix: "junction-deploy-cli")
        defer { FileIO.remove(directory + "/out"); FileIO.remove(directory) }
        let child = try ChildProcess.spawn(JunctionProcesses.binary(), arguments: arguments, outputPath: directory + "/out")
        let exit = child.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 20_000_000_000) ?? child.stop()
        let output = (try? FileIO.read(directory + "/out")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return (exit, output)
    }

    @Test func versionMatchesTheImageTagInTheKustomization() throws {
        let kustomization = String(decoding: try FileIO.read(JunctionProcesses.root() + "/k8s/base/kustomization.yaml"), as: UTF8.self)
        let tag = kustomization.split(separator: "\n").first { $0.contains("newTag:") }?
            .split(separator: ":").last?.split(separator: " ").first.map(String.init)
        #expect(tag == BuildInfo.version, "k8s/base/kustomization.yaml names \(tag ?? "no tag"); the binary is \(BuildInfo.version)")
        let (exit, output) = try Self.run(["version"])
        #expect(exit == .exited(0))
        #expect(output == BuildInfo.line + "\n")
    }

    @Test func metricsStartWithBuildInfo() {
        let text = PrometheusText.withBuildInfo(role: "agent").text
        #expect(text.hasPrefix("# HELP junction_build_info "))
        #expect(text.contains("junction_build_info{version=\"\(BuildInfo.version)\",swift=\"\(BuildInfo.swiftVersion)\",arch=\"\(BuildInfo.architecture)\",role=\"agent\"} 1\n"))
    }

    @Test func realtimeOptionsWithoutRealtimeAreAUsageError() throws {
        let (exit, output) = try Self.run(["agent", "--insecure", "--realtime-priority", "10"])
        #expect(exit == .exited(2))
        #expect(output.contains("--realtime-priority and --realtime-cpu need --realtime"))
    }

    @Test func aPriorityOutOfRangeIsAUsageError() throws {
        let (exit, output) = try Self.run(["agent", "--insecure", "--realtime", "--realtime-priority", "100"])
        #expect(exit == .exited(2))
        #expect(output.contains("--realtime-priority must be a whole number from 1 to 99"))
    }

    @Test func agentHelpListsTheDeploymentOptions() throws {
        let (exit, output) = try Self.run(["agent", "--help"])
        #expect(exit == .exited(0))
        for name in ["JUNCTION_ORDINAL_HEADS", "JUNCTION_REALTIME", "JUNCTION_REALTIME_PRIORITY", "JUNCTION_REALTIME_CPU"] {
            #expect(output.contains(name), "agent --help must name \(name): the manifests set it")
        }
    }
}
