import Posix

/// The processes `junction simulate` runs: one coordinator and N agents,
/// each a child copy of this executable on loopback.
///
/// Why real processes: this is the production code path end to end (UDP,
/// kernel stamps, timing threads), only the light is observed through each
/// agent's `/status` instead of LEDs. Every child gets `--parent-pid`, so it
/// stops by itself if this process dies without cleaning up.
final class LiveCluster {
    struct Agent {
        var ordinal: Int
        var driftPPM: Double
        var process: ChildProcess?
        var port: UInt16
        var httpPort: UInt16
    }

    let executable: String
    let directory: String
    let planPath: String
    let basePort: UInt16
    let keyPath: String
    private(set) var coordinator: ChildProcess?
    private(set) var agents: [Agent] = []
    private var nextOrdinal = 0

    var coordinatorPort: UInt16 { basePort - 10 }
    var coordinatorHTTPPort: UInt16 { basePort + 990 }

    init(executable: String, planPath: String, basePort: UInt16) throws {
        self.executable = executable
        self.planPath = planPath
        self.basePort = basePort
        do {
            directory = try FileIO.makeTemporaryDirectory(prefix: "junction-simulate")
            keyPath = directory + "/junction.key"
            var key: [UInt8] = []
            for _ in 0..<32 { key.append(UInt8.random(in: 0...255)) }
            try FileIO.write(key, to: keyPath, mode: 0o600)
        } catch {
            throw CommandFailure(message: "cannot prepare a temporary directory: \(error.description)")
        }
    }

    /// A drift of 50..200 ppm, alternating sign, so agents disagree.
    static func drift(for ordinal: Int) -> Double {
        let magnitude = Double.random(in: 50...200).rounded()
        return ordinal % 2 == 0 ? magnitude : -magnitude
    }

    func startCoordinator() throws {
        guard coordinator == nil else { return }
        var args = ["coordinator", "--plan", planPath, "--key-file", keyPath, "--port", "\(coordinatorPort)",
                    "--listen", "127.0.0.1", "--http-port", "\(coordinatorHTTPPort)", "--parent-pid", "\(ChildProcess.currentID)"]
        for agent in agents where agent.process != nil { args += ["--agent", "127.0.0.1:\(agent.port)"] }
        coordinator = try spawn(args, log: "coordinator.log")
    }

    /// SIGKILL: no goodbye, the agents must notice the silence by themselves.
    func killCoordinator() {
        guard let process = coordinator else { return }
        process.send(ChildProcess.kill)
        _ = process.wait(untilMonotonicNanos: .max)
        coordinator = nil
    }

    func addAgent() throws {
        let ordinal = nextOrdinal
        nextOrdinal += 1
        let port = basePort + UInt16(ordinal)
        let httpPort = basePort + 1000 + UInt16(ordinal)
        let drift = Self.drift(for: ordinal)
        let args = ["agent", "--ordinal", "\(ordinal)", "--port", "\(port)", "--listen", "127.0.0.1",
                    "--coordinator", "127.0.0.1:\(coordinatorPort)", "--key-file", keyPath, "--output", "none",
                    "--http-port", "\(httpPort)", "--clock-drift-ppm", "\(drift)", "--parent-pid", "\(ChildProcess.currentID)"]
        let process = try spawn(args, log: "agent-\(ordinal).log")
        agents.append(Agent(ordinal: ordinal, driftPPM: drift, process: process, port: port, httpPort: httpPort))
    }

    /// Stops the newest agent gracefully (SIGTERM).
    func removeAgent() {
        guard let agent = agents.popLast() else { return }
        agent.process?.stop()
        nextOrdinal = agent.ordinal
    }

    /// Stops everything: agents and coordinator with SIGTERM, then removes
    /// the temporary directory.
    func stopAll() {
        for agent in agents { agent.process?.send(ChildProcess.terminate) }
        coordinator?.send(ChildProcess.terminate)
        for agent in agents { agent.process?.stop() }
        coordinator?.stop()
        agents = []
        coordinator = nil
        for name in FileIO.directoryEntries(directory) { FileIO.remove(directory + "/" + name) }
        FileIO.remove(directory)
    }

    /// Reaps children that ended on their own, so the view can say so.
    func reap() -> [String] {
        var ended: [String] = []
        if let exit = coordinator?.poll() { ended.append("coordinator \(exit)"); coordinator = nil }
        for index in agents.indices {
            if let exit = agents[index].process?.poll() {
                ended.append("agent \(agents[index].ordinal) \(exit)")
                agents[index].process = nil
            }
        }
        return ended
    }

    private func spawn(_ args: [String], log: String) throws -> ChildProcess {
        do { return try ChildProcess.spawn(executable, arguments: args, outputPath: directory + "/" + log) } catch {
            throw CommandFailure(message: "cannot start \(args[0]): \(error.description)")
        }
    }
}
