#if canImport(Glibc)
import Glibc
#endif
import JunctionCore
import Posix
import Testing

/// Sends raw bytes to a loopback HTTP port and returns everything the server
/// sends back before closing (5 s receive timeout), for malformed requests
/// `HTTPClient` cannot make.
func rawHTTP(port: UInt16, _ request: [UInt8]) -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return "socket failed" }
    defer { _ = close(fd) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard rc == 0 else { return "connect failed" }
    _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n <= 0 { break }
        out += chunk[..<n]
    }
    return String(decoding: out, as: UTF8.self)
}

func rawHTTP(port: UInt16, _ text: String) -> String { rawHTTP(port: port, Array(text.utf8)) }

/// The status code of a raw HTTP answer, or nil.
func statusCode(_ response: String) -> Int? {
    let parts = response.split(separator: " ", maxSplits: 2)
    return parts.count >= 2 && parts[0].hasPrefix("HTTP/1.") ? Int(parts[1]) : nil
}

/// Headless Chromium (Debian's `chromium` package), run through `sh` so its
/// standard output (the DOM) and its chatter on standard error stay apart.
struct HeadlessChromium {
    let binary: String
    let profile: String

    static func find() -> String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileIO.modification($0) != nil }
    }

    init(directory: String) throws {
        guard let binary = Self.find() else {
            throw BrowserMissing()
        }
        self.binary = binary
        profile = try FileIO.makeTemporaryDirectory(prefix: "junction-chromium")
    }

    struct BrowserMissing: Error, CustomStringConvertible {
        var description: String { "headless Chromium not found: apt-get install chromium (.ci/run installs it)" }
    }

    private func run(_ arguments: [String], stdout: String, log: String) -> Bool {
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--user-data-dir=\(profile)", "--window-size=1400,1500", "--hide-scrollbars"] + arguments
        let command = ([binary] + flags).map { "'\($0)'" }.joined(separator: " ") + " > '\(stdout)' 2>> '\(log)'"
        guard let process = try? ChildProcess.spawn("/bin/sh", arguments: ["-c", command]) else { return false }
        let deadline = MonotonicClock().nowNanos() + 60_000_000_000
        guard let exit = process.wait(untilMonotonicNanos: deadline) else {
            process.send(ChildProcess.kill)
            _ = process.wait(untilMonotonicNanos: .max)
            return false
        }
        return exit == .exited(0)
    }

    /// The DOM after the page's load event (its inline script has run).
    func dumpDOM(_ url: String, into path: String, log: String) -> String? {
        guard run(["--dump-dom", url], stdout: path, log: log), let bytes = try? FileIO.read(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A PNG of the page after `budgetMillis` of virtual time (a few polls).
    func screenshot(_ url: String, to png: String, log: String, budgetMillis: Int = 2500) -> Bool {
        run(["--virtual-time-budget=\(budgetMillis)", "--screenshot=\(png)", url], stdout: "/dev/null", log: log)
    }

    func cleanUp() {
        _ = try? ChildProcess.spawn("/bin/rm", arguments: ["-rf", profile]).wait(untilMonotonicNanos: .max)
    }
}

/// One element's `data-` attributes as the DOM shows them.
struct DataAttributes {
    var values: [String: String]
    subscript(_ name: String) -> String? { values[name] }
}

/// Every start tag with `marker` in it (e.g. `<g class="head`), parsed for
/// its `data-*="..."` attributes.
func elements(in dom: String, startingWith marker: String) -> [DataAttributes] {
    var found: [DataAttributes] = []
    var rest = dom[...]
    while let start = rest.firstRange(of: marker) {
        let tail = rest[start.lowerBound...]
        guard let end = tail.firstIndex(of: ">") else { break }
        let tag = tail[..<end]
        var values: [String: String] = [:]
        var scan = tag
        while let attribute = scan.firstRange(of: " data-") {
            let afterName = scan[attribute.upperBound...]
            guard let eq = afterName.firstRange(of: "=\"") else { break }
            let name = String(afterName[..<eq.lowerBound])
            let valueStart = afterName[eq.upperBound...]
            guard let close = valueStart.firstIndex(of: "\"") else { break }
            values[name] = String(valueStart[..<close])
            scan = valueStart[close...]
        }
        found.append(DataAttributes(values: values))
        rest = tail[end...]
    }
    return found
}

/// What an agent's `/status` says about its head.
struct AgentView: Equatable, CustomStringConvertible {
    var aspect: String
    var state: String
    var description: String { "\(aspect)/\(state)" }
}

func agentView(port: UInt16) -> AgentView? {
    guard let body = httpBody(port: port, path: "/status"), let json = try? JSONParser.parse(Array(body.utf8)),
          let aspect = json.string("aspect"), let state = json.string("state") else { return nil }
    return AgentView(aspect: aspect, state: state)
}

/// The events an HTTP `/events` endpoint returns (all of them, paging).
func fetchEvents(port: UInt16) -> [JunctionEventLine] {
    var all: [JunctionEventLine] = []
    var since: UInt64 = 0
    while true {
        guard let body = httpBody(port: port, path: "/events?since=\(since)&limit=1000") else { return all }
        let page = body.split(separator: "\n").compactMap { JunctionEventLine(String($0)) }
        all += page
        guard page.count == 1000, let last = page.last else { return all }
        since = last.sequence
    }
}

/// An event line as a test reads it (independent of the Runtime type).
struct JunctionEventLine {
    var sequence: UInt64
    var time: Int64?
    var code: Int
    var parameter: Int64
    var agent: Int?
    var head: String
    var note: String

    init?(_ line: String) {
        guard let json = try? JSONParser.parse(Array(line.utf8)), let seq = json.integer("seq"), let code = json.integer("code"),
              let parameter = json.integer("param"), let head = json.string("head") else { return nil }
        sequence = UInt64(seq)
        time = json.integer("time")
        self.code = Int(code)
        self.parameter = parameter
        agent = json.integer("agent").map { Int($0) }
        self.head = head
        note = json.string("note") ?? ""
    }

    /// The aspect an aspect event announces (docs/EVENTS.md), else nil.
    var aspect: String? {
        switch code {
        case 1: "green"
        case 8: "amber"
        case 10: "red"
        case 200: "red-amber"
        case 201: "off"
        case 173: parameter == 1 ? "flashing-amber" : "flashing-red"
        default: nil
        }
    }
}
