#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import Posix

/// A blocking loopback client with a 5 s receive timeout, so a broken server
/// fails the test instead of hanging it.
private struct Client {
    let fd: Int32

    init?(port: UInt16) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { _ = Glibc.close(fd); return nil }
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything until the server closes (or 5 s pass).
    func readAll() -> String {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            out += chunk[..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether data or EOF is waiting right now (no waiting).
    var hasInput: Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) == 1
    }

    func close() { _ = Glibc.close(fd) }
}

private func exchange(_ port: UInt16, _ request: String) -> String {
    guard let client = Client(port: port) else { return "connect failed" }
    defer { client.close() }
    client.send(request)
    return client.readAll()
}

private func startServer(limits: HTTPServer.Limits = .init()) throws -> HTTPServer {
    try HTTPServer.start(host: "127.0.0.1", port: 0, limits: limits) { path in
        switch path {
        case "/healthz": .text("ok\n")
        case "/metrics": .prometheus("junction_up 1\n")
        default: nil
        }
    }
}

@Test func getReturnsTheRouteWithLengthAndClose() throws {
    let server = try startServer()
    defer { server.stop() }
    #expect(server.port != 0)
    let response = exchange(server.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
    #expect(response.contains("Content-Type: text/plain; charset=utf-8\r\n"))
    #expect(response.contains("Content-Length: 3\r\n"))
    #expect(response.contains("Connection: close\r\n"))
    #expect(response.hasSuffix("\r\n\r\nok\n"))
}

@Test func queryStringIsNotPartOfThePath() throws {
    let server = try startServer()
    defer { server.stop() }
    #expect(exchange(server.port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n").hasSuffix("\r\n\r\njunction_up 1\n"))
}

@Test func unknownPathIs404AndOtherMethodsAre405() throws {
    let server = try startServer()
    defer { server.stop() }
    #expect(exchange(server.port, "GET /nope HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404 Not Found\r\n"))
    let post = exchange(server.port, "POST /healthz HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
    #expect(post.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
    #expect(post.contains("Allow: GET, HEAD\r\n"))
    #expect(exchange(server.port, "garbage\r\n\r\n").hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
}

@Test func headSendsTheHeadersOfGetWithoutTheBody() throws {
    let server = try startServer()
    defer { server.stop() }
    let response = exchange(server.port, "HEAD /metrics HTTP/1.1\r\n\r\n")
    #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
    #expect(response.contains("Content-Length: 14\r\n"))
    #expect(response.hasSuffix("\r\n\r\n"))
}

@Test func oversizedRequestHeadIs431() throws {
    let server = try startServer()
    defer { server.stop() }
    let big = "GET /healthz HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 9_000) + "\r\n\r\n"
    #expect(exchange(server.port, big).hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
    // The server is still healthy afterwards.
    #expect(exchange(server.port, "GET /healthz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 200"))
}

@Test func idleClientIsClosedWithoutBlockingOthers() throws {
    let timeoutNanos: Int64 = 300_000_000
    let server = try startServer(limits: .init(readTimeoutNanos: timeoutNanos))
    defer { server.stop() }
    let clock = MonotonicClock()
    let start = clock.nowNanos()
    let slow = try #require(Client(port: server.port))
    defer { slow.close() }
    slow.send("GET /heal")  // and then nothing
    // A second client is served completely while the first one stalls.
    let other = exchange(server.port, "GET /healthz HTTP/1.1\r\n\r\n")
    #expect(other.hasPrefix("HTTP/1.1 200 OK"))
    #expect(!slow.hasInput, "the stalled client is neither answered nor closed yet")
    // The stalled one is closed once its time is up, not before.
    let response = slow.readAll()
    let elapsed = clock.nowNanos() - start
    #expect(response.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
    #expect(elapsed >= timeoutNanos)
    #expect(elapsed < 5_000_000_000, "closed by the server, not by the client's receive timeout")
}

@Test func portInUseSaysSoAndStopReleasesThePort() throws {
    let server = try startServer()
    let port = server.port
    #expect(throws: HTTPServerError.portInUse(host: "127.0.0.1", port: port)) {
        try HTTPServer.start(host: "127.0.0.1", port: port) { _ in nil }
    }
    server.stop()
    server.stop()
    #expect(Client(port: port) == nil, "nothing listens after stop")
    let again = try HTTPServer.start(host: "127.0.0.1", port: port) { _ in nil }
    again.stop()
}

@Test func badHostIsRejected() {
    #expect(throws: HTTPServerError.badHost("localhost")) {
        try HTTPServer.start(host: "localhost", port: 0) { _ in nil }
    }
}

@Test func serveHandsRoutesThePathAndTheQuery() throws {
    let server = try HTTPServer.serve(host: "127.0.0.1", port: 0) { request in
        request.path == "/echo" ? .text("\(request.method) \(request.parameter("since") ?? "-")\n") : nil
    }
    defer { server.stop() }
    #expect(exchange(server.port, "GET /echo?since=41 HTTP/1.1\r\n\r\n").hasSuffix("\r\n\r\nGET 41\n"))
    #expect(exchange(server.port, "GET /echo HTTP/1.1\r\n\r\n").hasSuffix("\r\n\r\nGET -\n"))
}
