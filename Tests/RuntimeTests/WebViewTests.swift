import JunctionCore
import Posix
import Testing

/// The coordinator's page in a real browser: headless Chromium opens it on a
/// running cluster (a coordinator and four agents, real processes on
/// loopback) and the rendered DOM must show each head's aspect and state as
/// the agents' own `/status` says at that moment; then the coordinator is
/// restarted and the replacement's page must show the same agents and the
/// restart in its events. A screenshot is left at `.build/web-view.png`.
@Suite(.serialized)
struct WebViewTests {
    static let ordinals = [0, 1, 2, 3]

    @Test func theBrowserShowsWhatTheAgentsSayAndTheRestart() throws {
        let p = try JunctionProcesses(name: "web")
        defer { p.cleanUp() }
        let browser = try HeadlessChromium(directory: p.directory)
        defer { browser.cleanUp() }
        let coordinatorEvents = p.directory + "/coordinator-events.jsonl"
        var coordinator = try startCoordinator(p, eventLog: coordinatorEvents, log: "coordinator.log")
        let agents = try Self.ordinals.map {
            try p.startAgent($0, driftPPM: [150, -150, 80, -40][$0], recording: "agent-\($0).jsonl",
                             extra: ["--event-log", p.directory + "/agent-\($0)-events.jsonl"])
        }
        defer {
            for agent in agents { agent.stop() }
            coordinator.stop()
        }
        let url = "http://127.0.0.1:\(p.coordinatorHTTPPort)/"
        try #require(waitUntil(seconds: 30) { Self.ordinals.allSatisfy { httpStatus(port: p.agentHTTPPort($0), path: "/readyz") == 200 } },
                     "agents did not lock")
        try #require(waitUntil(seconds: 10) { coordinatorSeesAll(p, state: "locked") }, "the coordinator does not see every agent locked")

        let shown = try #require(conclusiveMatch(p, browser: browser, url: url, name: "first"),
                                 "no moment without a light change around the page's snapshot in 20 tries")
        #expect(shown.count == Self.ordinals.count)

        // `junction status` reads the same cluster.
        try checkStatusCommand(p, url: url)

        // Restart the coordinator (SIGTERM: it says goodbye) and check the replacement's page.
        let firstID = try #require(coordinatorID(p))
        coordinator.stop()
        coordinator = try startCoordinator(p, eventLog: coordinatorEvents, log: "coordinator-2.log")
        try #require(waitUntil(seconds: 15) { httpStatus(port: p.coordinatorHTTPPort, path: "/readyz") == 200 }, "replacement not serving")
        let secondID = try #require(coordinatorID(p))
        #expect(secondID != firstID)
        try #require(waitUntil(seconds: 15) { Self.ordinals.allSatisfy { agentSource(p, $0) == secondID } }, "agents did not follow the replacement")
        try #require(waitUntil(seconds: 10) { coordinatorSeesAll(p, state: "locked") })
        let afterRestart = try #require(conclusiveMatch(p, browser: browser, url: url, name: "replacement"))
        #expect(afterRestart.keys.sorted() == shown.keys.sorted(), "the replacement shows the same agents")

        let dom = try #require(browser.dumpDOM(url, into: p.directory + "/replacement-events.html", log: p.directory + "/chromium.log"))
        let ownList = dom.firstRange(of: "id=\"coordinator-events\"").map { dom[$0.lowerBound...] }.map { $0[..<($0.firstRange(of: "</ol>")?.lowerBound ?? $0.endIndex)] } ?? ""
        let own = elements(in: String(ownList), startingWith: "<li data-seq=")
        #expect(own.contains { $0["code"] == "218" } && own.contains { $0["code"] == "212" && $0["param"] == "2" },
                "the coordinator panel lists the replacement's start and term 2")
        let events = elements(in: dom, startingWith: "<li data-seq=")
        #expect(events.contains { $0["code"] == "218" }, "the replacement's start is among its events")
        #expect(events.contains { $0["code"] == "212" && $0["param"] == "2" }, "it serves term 2 (adopted the running timebase)")
        #expect(events.contains { $0["code"] == "211" && $0["param"] == "2" }, "agents are seen following the new term")

        // Each agent's event log holds exactly the aspect changes its light made.
        #expect(waitUntil(seconds: 60) { Self.ordinals.allSatisfy { p.recording("agent-\($0).jsonl").count >= 4 } },
                "every head changed a few times")
        for ordinal in Self.ordinals { checkAgentEvents(p, ordinal: ordinal) }

        // A head that goes silent (its agent SIGKILLed) is marked so.
        agents[3].send(ChildProcess.kill)
        _ = agents[3].wait(untilMonotonicNanos: .max)
        #expect(waitUntil(seconds: 20) {
            guard let dom = browser.dumpDOM(url, into: p.directory + "/silent.html", log: p.directory + "/chromium.log") else { return false }
            let heads = elements(in: dom, startingWith: "<g class=\"head")
            // The others are not silent (their junction is stopped meanwhile:
            // a silent head may be frozen on green).
            return heads.first { $0["ordinal"] == "3" }?["status"] == "silent" && heads.filter { $0["status"] != "silent" }.count == 3
        }, "agent 3 drawn as silent, the others not")

        // The screenshot a person looks at: the replacement's page after a
        // few polls, a minute of history, the restart among the coordinator's
        // events and one silent head.
        let png = p.packageRoot + "/.build/web-view.png"
        FileIO.remove(png)
        #expect(browser.screenshot(url, to: png, log: p.directory + "/chromium.log"))
        #expect((try? FileIO.read(png).count) ?? 0 > 20_000, "screenshot written to \(png)")

        // The shared --event-log file holds both processes' lines in order of writing.
        coordinator.stop()
        let lines = String(decoding: try FileIO.read(coordinatorEvents), as: UTF8.self).split(separator: "\n").compactMap { JunctionEventLine(String($0)) }
        #expect(lines.filter { $0.code == 218 }.count == 2, "two coordinator starts")
        #expect(lines.contains { $0.code == 217 && $0.note.contains(firstID) }, "the first one's goodbye")
        #expect(lines.contains { $0.code == 212 && $0.parameter == 1 } && lines.contains { $0.code == 212 && $0.parameter == 2 })
        #expect(lines.contains { $0.code == 1 } && lines.contains { $0.code == 10 }, "greens and reds seen from reports")
    }

    /// The README's first command shows where the web view is, and it is there.
    @Test func simulatePrintsTheWebViewURL() throws {
        let p = try JunctionProcesses(name: "simulate-web")
        defer { p.cleanUp() }
        let base = p.basePort + 2000  // simulate uses base-10 ... base+1000+n
        let simulate = try p.run(["simulate", "--agents", "2", "--duration", "20", "--base-port", "\(base)", "--plan", p.planPath], log: "simulate.log")
        defer { simulate.stop() }
        let url = "http://127.0.0.1:\(base + 990)/"
        #expect(waitUntil(seconds: 10) { p.log("simulate.log").contains("web view: \(url)") }, "printed: \(p.log("simulate.log"))")
        #expect(waitUntil(seconds: 15) {
            (httpBody(port: base + 990, path: "/") ?? "").contains("<script id=\"first\"")
                && (httpBody(port: base + 990, path: "/api/snapshot").flatMap { try? JSONParser.parse(Array($0.utf8)) }?.member("agents")?.elements
                    .filter { $0.string("state") == "locked" }.count ?? 0) == 2
        }, "the page's snapshot shows both agents locked")
    }

    // MARK: Steps

    private func startCoordinator(_ p: JunctionProcesses, eventLog: String, log: String) throws -> ChildProcess {
        var args = ["coordinator", "--plan", p.planPath, "--key-file", p.keyPath, "--listen", "127.0.0.1",
                    "--port", "\(p.coordinatorPort)", "--http-port", "\(p.coordinatorHTTPPort)", "--parent-pid", "\(ChildProcess.currentID)",
                    "--event-log", eventLog]
        for ordinal in Self.ordinals { args += ["--agent", "127.0.0.1:\(p.agentPort(ordinal))"] }
        return try p.run(args, log: log)
    }

    private func coordinatorStatus(_ p: JunctionProcesses) -> JSONValue? {
        httpBody(port: p.coordinatorHTTPPort, path: "/status").flatMap { try? JSONParser.parse(Array($0.utf8)) }
    }

    private func coordinatorID(_ p: JunctionProcesses) -> String? { coordinatorStatus(p)?.string("id") }

    private func coordinatorSeesAll(_ p: JunctionProcesses, state: String) -> Bool {
        let agents = coordinatorStatus(p)?.member("agents")?.elements ?? []
        return agents.count == Self.ordinals.count && agents.allSatisfy { $0.string("state") == state && $0.string("aspect") != nil }
    }

    private func agentSource(_ p: JunctionProcesses, _ ordinal: Int) -> String? {
        httpBody(port: p.agentHTTPPort(ordinal), path: "/status").flatMap { try? JSONParser.parse(Array($0.utf8)) }?.string("source")
    }

    /// Reads every agent's `/status`, the page's DOM, and `/status` again.
    /// An attempt is conclusive when no head changed between the instant of
    /// the page's snapshot (less the report interval) and the second read,
    /// per the agents' own event logs; then the page must match exactly.
    /// Returns what the page showed per ordinal, or nil after 20 inconclusive tries.
    private func conclusiveMatch(_ p: JunctionProcesses, browser: HeadlessChromium, url: String, name: String) -> [Int: AgentView]? {
        for attempt in 0..<20 {
            let before = Self.ordinals.map { agentView(port: p.agentHTTPPort($0)) }
            guard let dom = browser.dumpDOM(url, into: p.directory + "/\(name)-\(attempt).html", log: p.directory + "/chromium.log") else {
                Issue.record("chromium --dump-dom failed; see \(p.directory)/chromium.log")
                return nil
            }
            let after = Self.ordinals.map { agentView(port: p.agentHTTPPort($0)) }
            guard let body = elements(in: dom, startingWith: "<body").first, let snapshotNanos = body["snapshot-nanos"].flatMap({ Int64($0) }) else {
                Issue.record("the page has no rendered snapshot: \(dom.prefix(400))")
                return nil
            }
            // Reports are 100 ms apart: a change within 300 ms before the
            // snapshot may not have reached it yet.
            let quiet = Self.ordinals.allSatisfy { ordinal in
                let changes = fetchEvents(port: p.agentHTTPPort(ordinal)).filter { $0.aspect != nil || $0.code == 210 }
                return (changes.last?.time ?? .min) < snapshotNanos - 300_000_000
            }
            guard before == after, before.allSatisfy({ $0 != nil }), quiet else { continue }
            let heads = elements(in: dom, startingWith: "<g class=\"head")
            let rows = elements(in: dom, startingWith: "<tr data-ordinal=")
            var shown: [Int: AgentView] = [:]
            for (index, ordinal) in Self.ordinals.enumerated() {
                let expected = before[index]!
                let head = heads.first { $0["ordinal"] == String(ordinal) }
                let row = rows.first { $0["ordinal"] == String(ordinal) }
                #expect(head?["aspect"] == expected.aspect && head?["state"] == expected.state,
                        "\(name): agent \(ordinal)'s head on the page is \(head?["aspect"] ?? "missing")/\(head?["state"] ?? "-"), its /status says \(expected)")
                #expect(row?["aspect"] == expected.aspect && row?["state"] == expected.state, "\(name): agent \(ordinal)'s table row")
                #expect(head?["status"] == "ok", "\(name): agent \(ordinal) is drawn as \(head?["status"] ?? "missing")")
                if let head, let aspect = head["aspect"], let state = head["state"] { shown[ordinal] = AgentView(aspect: aspect, state: state) }
            }
            print("web view (\(name)): page matched the agents on attempt \(attempt + 1): \(Self.ordinals.map { "\($0)=\(before[$0]!)" }.joined(separator: " "))")
            return shown
        }
        return nil
    }

    private func checkStatusCommand(_ p: JunctionProcesses, url: String) throws {
        let table = p.directory + "/status.txt"
        let status = try ChildProcess.spawn(JunctionProcesses.binary(), arguments: ["status", "--coordinator", url], outputPath: table)
        #expect(status.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 10_000_000_000) == .exited(0))
        let text = p.log("status.txt")
        #expect(text.hasPrefix("coordinator ") && text.contains("serving, term 1, plan crossroads"), "status table: \(text)")
        for ordinal in Self.ordinals {
            #expect(text.split(separator: "\n").contains { $0.hasPrefix("\(ordinal) ") && $0.contains("locked") && $0.contains("127.0.0.1:\(p.agentPort(ordinal))") },
                    "a row for agent \(ordinal): \(text)")
        }
        let jsonPath = p.directory + "/status.json"
        let json = try ChildProcess.spawn(JunctionProcesses.binary(), arguments: ["status", "--coordinator", url, "--json"], outputPath: jsonPath)
        #expect(json.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 10_000_000_000) == .exited(0))
        let parsed = try JSONParser.parse(try FileIO.read(jsonPath))
        #expect(parsed.string("role") == "coordinator")
        #expect(parsed.member("agents")?.elements.count == Self.ordinals.count)
        // --watch refreshes until stopped.
        let watch = try ChildProcess.spawn(JunctionProcesses.binary(), arguments: ["status", "--coordinator", url, "--watch", "--interval", "0.2"],
                                           outputPath: p.directory + "/status-watch.txt")
        #expect(waitUntil(seconds: 10) { p.log("status-watch.txt").ranges(of: "\ncoordinator ").count >= 2 }, "several tables")
        watch.stop()
        // Nothing listening: a failure that says so, exit 1; a bad URL: usage, exit 2.
        let down = try ChildProcess.spawn(JunctionProcesses.binary(), arguments: ["status", "--coordinator", "http://127.0.0.1:\(p.basePort + 17)"],
                                          outputPath: p.directory + "/status-down.txt")
        #expect(down.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 10_000_000_000) == .exited(1))
        #expect(p.log("status-down.txt").contains("cannot reach the coordinator"))
        let bad = try ChildProcess.spawn(JunctionProcesses.binary(), arguments: ["status", "--coordinator", "ftp://x"], outputPath: p.directory + "/status-bad.txt")
        #expect(bad.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 10_000_000_000) == .exited(2))
    }

    /// The agent's `/events` aspect changes are its light's recorded changes,
    /// in order (the two are read a moment apart, so one may be one ahead).
    private func checkAgentEvents(_ p: JunctionProcesses, ordinal: Int) {
        let recorded = p.recording("agent-\(ordinal).jsonl").map(\.aspect.description)
        let logged = fetchEvents(port: p.agentHTTPPort(ordinal)).compactMap(\.aspect)
        let common = min(recorded.count, logged.count)
        #expect(common >= 3, "agent \(ordinal) changed its light a few times (\(recorded.count) recorded)")
        #expect(abs(recorded.count - logged.count) <= 1, "agent \(ordinal): \(recorded.count) recorded, \(logged.count) in /events")
        #expect(Array(recorded.prefix(common)) == Array(logged.prefix(common)), "agent \(ordinal): /events \(logged) vs recording \(recorded)")
        let file = String(decoding: (try? FileIO.read(p.directory + "/agent-\(ordinal)-events.jsonl")) ?? [], as: UTF8.self)
            .split(separator: "\n").compactMap { JunctionEventLine(String($0)) }.compactMap(\.aspect)
        #expect(file.count >= common - 2 && Array(file.prefix(min(common, file.count))) == Array(logged.prefix(min(common, file.count))),
                "agent \(ordinal)'s --event-log file has the same changes (written every 200 ms)")
    }
}
