import JunctionCore
import Posix
import Testing

/// Every HTTP endpoint of a running agent and coordinator, fed malformed and
/// oversized requests: each gets its 4xx, none crashes or stalls the server,
/// and the well-formed request still works afterwards.
@Suite(.serialized)
struct WebEndpointTests {
    static let agentPaths = ["/healthz", "/readyz", "/metrics", "/status", "/events"]
    static let coordinatorPaths = ["/", "/index.html", "/api/snapshot", "/api/history", "/events", "/healthz", "/readyz", "/metrics", "/status"]

    @Test func everyEndpointRefusesMalformedAndOversizedRequests() throws {
        let p = try JunctionProcesses(name: "endpoints")
        defer { p.cleanUp() }
        let coordinator = try p.startCoordinator(agents: [0])
        let agent = try p.startAgent(0, driftPPM: 0, recording: "agent-0.jsonl")
        defer {
            agent.stop()
            coordinator.stop()
        }
        try #require(waitUntil(seconds: 20) { httpStatus(port: p.agentHTTPPort(0), path: "/readyz") == 200 })
        try #require(waitUntil(seconds: 10) { httpStatus(port: p.coordinatorHTTPPort, path: "/readyz") == 200 })
        for (port, paths) in [(p.agentHTTPPort(0), Self.agentPaths), (p.coordinatorHTTPPort, Self.coordinatorPaths)] {
            for path in paths { check(port: port, path: path) }
        }
        checkQueries(p)
        checkViewerCap(p)
        #expect(agent.poll() == nil && coordinator.poll() == nil, "both processes still running")
    }

    private func check(port: UInt16, path: String) {
        let ok = statusCode(rawHTTP(port: port, "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(ok == 200, "GET \(path) on \(port)")
        let cases: [(String, [UInt8], Int)] = [
            ("oversized header", Array("GET \(path) HTTP/1.1\r\nX-Pad: \(String(repeating: "a", count: 9000))\r\n\r\n".utf8), 431),
            ("oversized target", Array("GET \(path)?\(String(repeating: "q", count: 10_000)) HTTP/1.1\r\n\r\n".utf8), 431),
            ("endless header, no blank line", Array("GET \(path) HTTP/1.1\r\n\(String(repeating: "X: y\r\n", count: 2000))".utf8), 431),
            ("no version", Array("GET \(path)\r\n\r\n".utf8), 400),
            ("bad version", Array("GET \(path) HTTP/9.9\r\n\r\n".utf8), 400),
            ("relative target", Array("GET \(path.dropFirst()) HTTP/1.1\r\n\r\n".utf8), 400),
            ("control bytes", [0x47, 0x45, 0x54, 0x20, 0x2F, 0x01, 0x02, 0x20] + Array("HTTP/1.1\r\n\r\n".utf8), 400),
            ("binary", (0..<200).map { UInt8(truncatingIfNeeded: $0 * 37) } + [13, 10, 13, 10], 400),
            ("POST", Array("POST \(path) HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc".utf8), 405),
            ("DELETE", Array("DELETE \(path) HTTP/1.1\r\n\r\n".utf8), 405),
        ]
        for (name, request, expected) in cases {
            let answer = rawHTTP(port: port, request)
            #expect(statusCode(answer) == expected, "\(name) to \(path) on \(port): \(answer.prefix(80))")
        }
        let head = rawHTTP(port: port, "HEAD \(path) HTTP/1.1\r\n\r\n")
        #expect(statusCode(head) == 200 && head.hasSuffix("\r\n\r\n"), "HEAD \(path): headers only")
        #expect(statusCode(rawHTTP(port: port, "GET \(path) HTTP/1.0\r\n\r\n")) == 200, "still serving \(path) after the bad requests")
    }

    private func checkQueries(_ p: JunctionProcesses) {
        for port in [p.agentHTTPPort(0), p.coordinatorHTTPPort] {
            for query in ["since=-1", "since=abc", "since=99999999999999999999999", "since=1.5", "limit=0", "limit=1001", "limit=x", "since=", "limit="] {
                let answer = rawHTTP(port: port, "GET /events?\(query) HTTP/1.1\r\n\r\n")
                #expect(statusCode(answer) == 400, "/events?\(query) on \(port): \(answer.prefix(120))")
            }
            let all = rawHTTP(port: port, "GET /events?since=0&limit=1000 HTTP/1.1\r\n\r\n")
            #expect(all.contains("Content-Type: application/x-ndjson"))
            let lines = all.split(separator: "\r\n\r\n", maxSplits: 1).last?.split(separator: "\n").compactMap { JunctionEventLine(String($0)) } ?? []
            #expect(lines.count >= 2, "events on \(port)")
            #expect(zip(lines, lines.dropFirst()).allSatisfy { $0.sequence + 1 == $1.sequence }, "consecutive, oldest first")
            if let last = lines.last {
                let after = rawHTTP(port: port, "GET /events?since=\(last.sequence + 1_000_000) HTTP/1.1\r\n\r\n")
                #expect(statusCode(after) == 200, "a cursor from a previous process reads from the start")
                let one = rawHTTP(port: port, "GET /events?since=0&limit=1 HTTP/1.1\r\n\r\n").split(separator: "\r\n\r\n", maxSplits: 1).last ?? ""
                #expect(one.split(separator: "\n").count == 1)
            }
        }
        for path in ["/", "/api/snapshot"] {
            for viewer in ["", "%3Cscript%3E", String(repeating: "v", count: 33), "a%20b", "%zz"] {
                let answer = rawHTTP(port: p.coordinatorHTTPPort, "GET \(path)?viewer=\(viewer) HTTP/1.1\r\n\r\n")
                let expected = viewer == "%zz" ? 200 : 400  // an undecodable escape reads as no viewer: served from the cache
                #expect(statusCode(answer) == expected, "\(path)?viewer=\(viewer): \(answer.prefix(100))")
            }
        }
    }

    /// Sixteen viewers may watch; the seventeenth is refused until one leaves.
    private func checkViewerCap(_ p: JunctionProcesses) {
        let port = p.coordinatorHTTPPort
        let codes = (0..<17).map { statusCode(rawHTTP(port: port, "GET /api/snapshot?viewer=v\($0) HTTP/1.1\r\n\r\n")) }
        #expect(codes.prefix(16).allSatisfy { $0 == 200 }, "\(codes)")
        #expect(codes.last == 503, "the seventeenth viewer: \(codes)")
        #expect(statusCode(rawHTTP(port: port, "GET /api/snapshot?viewer=v3 HTTP/1.1\r\n\r\n")) == 200, "a viewer already watching stays")
        #expect(statusCode(rawHTTP(port: port, "GET /api/snapshot HTTP/1.1\r\n\r\n")) == 200, "a one-off read (no viewer id) is served from the cache")
        let page = rawHTTP(port: port, "GET / HTTP/1.1\r\n\r\n")
        #expect(page.contains("Content-Type: text/html; charset=utf-8") && page.contains("<script id=\"first\" type=\"application/json\">{\"snapshot\":"))
    }
}
