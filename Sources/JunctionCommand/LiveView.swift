import GPIO
import JunctionCore
import Posix

/// What `junction simulate` shows: each agent's light, state, skew and
/// error bound, read from its `/status`.
struct LiveView {
    struct AgentStatus {
        var ordinal: Int
        var driftPPM: Double
        var running: Bool
        var state = "-"
        var aspect: Aspect?
        var head = "-"
        var errorBoundNanos: Int64?
        var frequencyPPM: Double?
        /// timebase − shared monotonic clock; compared across agents.
        var sharedOffsetNanos: Int64?
    }

    var coordinatorPhase = "-"
    var coordinatorTerm: Int64?
    var agents: [AgentStatus] = []

    /// Reads every status endpoint (50 ms timeout each, loopback).
    static func fetch(_ cluster: LiveCluster) -> LiveView {
        var view = LiveView()
        if cluster.coordinator != nil, let json = fetchStatus(port: cluster.coordinatorHTTPPort) {
            view.coordinatorPhase = json.string("phase") ?? "-"
            view.coordinatorTerm = json.integer("term")
        } else if cluster.coordinator == nil {
            view.coordinatorPhase = "killed"
        }
        for agent in cluster.agents {
            var status = AgentStatus(ordinal: agent.ordinal, driftPPM: agent.driftPPM, running: agent.process != nil)
            if agent.process != nil, let json = fetchStatus(port: agent.httpPort) {
                status.state = json.string("state") ?? "-"
                status.aspect = json.string("aspect").flatMap(Aspect.init(name:))
                status.head = json.string("head") ?? "-"
                status.errorBoundNanos = json.integer("errorBoundNanos")
                status.frequencyPPM = json.double("frequencyPPM")
                if let tb = json.integer("timebaseNanos"), let mono = json.integer("monotonicNanos") { status.sharedOffsetNanos = Int64(tb) - Int64(mono) }
            } else if agent.process == nil {
                status.state = "exited"
            }
            view.agents.append(status)
        }
        return view
    }

    private static func fetchStatus(port: UInt16) -> JSONValue? {
        guard let reply = try? HTTPClient.get(port: port, path: "/status", timeoutNanos: 50_000_000), reply.status == 200 else { return nil }
        return try? JSONParser.parse(reply.body)
    }

    /// Skew of each agent against the median of the locked ones, in ns.
    func skews() -> [Int: Int64] {
        let offsets = agents.compactMap { a in a.state == "locked" ? a.sharedOffsetNanos.map { (a.ordinal, $0) } : nil }
        guard !offsets.isEmpty else { return [:] }
        let median = offsets.map(\.1).sorted()[offsets.count / 2]
        return Dictionary(uniqueKeysWithValues: offsets.map { ($0.0, $0.1 - median) })
    }

    /// The full-screen frame for a terminal, lines cleared to the end.
    func frame(elapsedSeconds: Double, planName: String, message: String, colour: Bool, timebase: TimebaseInstant) -> String {
        let skew = skews()
        var lines: [String] = []
        lines.append("junction simulate: plan \(planName), coordinator \(coordinatorPhase)\(coordinatorTerm.map { " term \($0)" } ?? ""), \(formatted(elapsedSeconds, 1)) s")
        lines.append("")
        lines.append(" #  head                  light       state      skew         bound       drift / correction (ppm)")
        for a in agents {
            let lamps = a.aspect.map { FlashPhase.lamps($0, at: timebase) } ?? Lamps()
            let light = TerminalOutput.render(lamps, head: "", colour: colour).trimmingSpaces()
            let skewText = skew[a.ordinal].map { "\(signed(Double($0) / 1000, 0)) µs" } ?? "-"
            let bound = a.errorBoundNanos.map { "\(formatted(Double($0) / 1000, 0)) µs" } ?? "-"
            let drift = "\(signed(a.driftPPM, 0)) / \(a.frequencyPPM.map { signed($0, 1) } ?? "-") ppm"
            lines.append(" \(pad(String(a.ordinal), 2)) \(pad(a.head, 21)) \(pad(light, 8, visible: colour ? 8 : nil))   \(pad(a.state, 9))  \(pad(skewText, 11))  \(pad(bound, 10))  \(drift)")
        }
        lines.append("")
        lines.append("keys: k kill coordinator   r restart it   + add agent   - remove agent   q quit")
        if !message.isEmpty { lines.append(message) }
        return "\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\n") + "\n\u{1B}[J"
    }

    /// One plain line, for logs and pipes.
    func line(elapsedSeconds: Double) -> String {
        let skew = skews()
        let parts = agents.map { a in
            "\(a.ordinal):\(a.state)/\(a.aspect?.description ?? "-")/skew=\(skew[a.ordinal].map { "\($0 / 1000)us" } ?? "-")/bound=\(a.errorBoundNanos.map { "\($0 / 1000)us" } ?? "-")"
        }
        return "t=\(formatted(elapsedSeconds, 0))s coordinator=\(coordinatorPhase) " + parts.joined(separator: " ")
    }

    private func pad(_ text: String, _ width: Int, visible: Int? = nil) -> String {
        let length = visible ?? text.count
        return length >= width ? text : text + String(repeating: " ", count: width - length)
    }

    private func formatted(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return decimals == 0 ? String(Int64(rounded)) : String(rounded)
    }

    private func signed(_ value: Double, _ decimals: Int) -> String {
        (value >= 0 ? "+" : "") + formatted(value, decimals)
    }
}

extension JSONValue {
    func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    func string(_ key: String) -> String? {
        if case .string(let s)? = member(key) { return s }
        return nil
    }

    func integer(_ key: String) -> Int64? {
        if case .number(let n)? = member(key) { return Int64(n) }
        return nil
    }

    func double(_ key: String) -> Double? {
        if case .number(let n)? = member(key) { return Double(n) }
        return nil
    }
}
