import JunctionCore
import Posix

/// `junction status`: the cluster as its coordinator sees it, as a table.
///
/// Why from the coordinator's `/status`: it already holds every agent's last
/// report, so one request shows the whole junction (through `kubectl
/// port-forward` too), and the command needs nothing but the URL.
enum StatusCommand {
    static let help = """
    usage: junction status [--coordinator URL] [--watch] [--interval S] [--json]

    Reads the coordinator's /status and prints the cluster: the coordinator's
    phase and term, then one row per agent (state, aspect, offset, error
    bound, how long ago it reported).

      --coordinator URL  the coordinator's HTTP address (default
                         http://127.0.0.1:8081) (JUNCTION_COORDINATOR_URL);
                         e.g. after `kubectl port-forward deploy/coordinator 8081`
      --watch            refresh until Ctrl-C
      --interval S       seconds between refreshes with --watch (default 1)
      --json             print /status unchanged (one JSON document)

    The page at the same URL shows the same live in a browser.
    """

    static func run(_ words: [String]) throws -> Int32 {
        let args = try Arguments(words, command: "junction status", valueOptions: ["coordinator", "interval"], flagOptions: ["watch", "json"])
        if args.wantsHelp { FileIO.printOut(help + "\n"); return 0 }
        guard args.positional.isEmpty else { throw UsageError(message: "junction status: unexpected argument '\(args.positional[0])'") }
        let url = args.string("coordinator", environment: "JUNCTION_COORDINATOR_URL", default: "http://127.0.0.1:8081")
        guard let target = parseURL(url) else {
            throw UsageError(message: "junction status: --coordinator must be http://HOST[:PORT], got \"\(url)\"")
        }
        let interval = try args.double("interval", default: 1, range: 0.1...3600)
        let watch = args.flag("watch")
        let json = args.flag("json")
        let clock = MonotonicClock()
        let clear = watch && FileIO.isTerminal(1)
        while true {
            let started = clock.nowNanos()
            let body = try fetch(target, url: url)
            if json {
                FileIO.printOut(body.hasSuffix("\n") ? body : body + "\n")
            } else {
                guard let value = try? JSONParser.parse(Array(body.utf8)), value.string("role") == "coordinator" else {
                    throw CommandFailure(message: "\(url)/status is not a junction coordinator's status; is the URL the coordinator's HTTP port?")
                }
                FileIO.printOut((clear ? "\u{1B}[H\u{1B}[2J" : "") + table(value) + (watch && !clear ? "\n" : ""))
            }
            guard watch else { return 0 }
            clock.sleep(untilNanos: started + Int64(interval * 1e9))
        }
    }

    /// `http://host:port/...`, `host:port` or `host`, to a host and port.
    static func parseURL(_ text: String) -> (host: String, port: UInt16)? {
        var rest = Substring(text)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) } else if rest.contains("://") { return nil }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        guard !rest.isEmpty else { return nil }
        if let (host, port) = SocketAddress.splitHostPort(String(rest)) { return (host, port) }
        guard !rest.contains(":") else { return nil }
        return (String(rest), 80)
    }

    private static func fetch(_ target: (host: String, port: UInt16), url: String) throws -> String {
        let addresses: [SocketAddress]
        do { addresses = try AddressResolver.resolve(host: target.host, port: target.port) } catch {
            throw CommandFailure(message: "cannot resolve \(target.host): \(error.description)")
        }
        guard let address = addresses.first(where: \.isIPv4), case let .ipv4(raw) = address.host else {
            throw CommandFailure(message: "\(target.host) has no IPv4 address; give the coordinator's IPv4 address")
        }
        let host = "\(raw >> 24).\(raw >> 16 & 0xFF).\(raw >> 8 & 0xFF).\(raw & 0xFF)"
        let reply: HTTPClient.Reply?
        do { reply = try HTTPClient.get(host: host, port: target.port, path: "/status", timeoutNanos: 3_000_000_000) } catch {
            throw CommandFailure(message: "cannot reach the coordinator at \(url): \(error.description); is it running, and is this its --http-port?")
        }
        guard let reply else { throw CommandFailure(message: "no answer from \(url) within 3 s") }
        guard reply.status == 200 else { throw CommandFailure(message: "\(url)/status answered \(reply.status)") }
        return reply.text
    }

    /// The table for one `/status` document.
    static func table(_ status: JSONValue) -> String {
        var out = "coordinator \(status.string("id") ?? "?"): \(status.string("phase") ?? "?"), term \(status.integer("term").map(String.init) ?? "?")"
        out += ", plan \(status.string("planName") ?? "none") (\(status.string("plan") ?? "-"))"
        if let pending = status.string("pendingPlan") { out += ", pending \(pending)" }
        var agents: [JSONValue] = []
        if case .array(let list)? = status.member("agents") { agents = list }
        out += ", \(agents.count) agent\(agents.count == 1 ? "" : "s")\n"
        var rows = [["#", "board", "head", "aspect", "state", "offset (s)", "error bound", "heard", "address"]]
        for agent in agents {
            rows.append([
                agent.integer("ordinal").map(String.init) ?? "-",
                agent.string("board").flatMap { $0.isEmpty ? nil : $0 } ?? "-",
                agent.string("head") ?? "-",
                agent.string("aspect") ?? "-",
                agent.string("state") ?? "-",
                agent.integer("offsetNanos").map(seconds) ?? "-",
                agent.integer("errorBoundNanos").map(bound) ?? "-",
                agent.integer("heardMillisAgo").map { "\($0) ms ago" } ?? "-",
                agent.string("address") ?? "-",
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            out += row.indices.map { i in i == row.count - 1 ? row[i] : row[i] + String(repeating: " ", count: widths[i] - row[i].count) }
                .joined(separator: "  ") + "\n"
        }
        return out
    }

    private static func seconds(_ nanos: Int64) -> String {
        let sign = nanos < 0 ? "-" : ""
        let magnitude = nanos.magnitude
        let fraction = String(magnitude % 1_000_000_000 / 1000)
        return "\(sign)\(magnitude / 1_000_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }

    private static func bound(_ nanos: Int64) -> String {
        nanos < 1_000_000 ? "\(nanos / 1000) µs" : "\(nanos / 1_000_000) ms"
    }
}
