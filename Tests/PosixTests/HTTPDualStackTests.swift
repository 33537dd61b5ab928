#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Posix

/// The default HTTP address is `::` with IPv4 mapped: probes and scrapers
/// reach it over IPv4 and IPv6 alike (dual-stack and IPv6-only clusters).
@Suite struct HTTPDualStackTests {
    static let hasIPv6 = (try? UDPSocket(binding: .loopbackIPv6(port: 0))) != nil

    /// Connects to `host:port` over TCP, sends a GET, returns the status line.
    static func statusLine(family: Int32, host: String, port: UInt16) -> String? {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var connected: Int32 = -1
        if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET /healthz HTTP/1.0\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n], as: UTF8.self).split(separator: "\r\n").first.map(String.init)
    }

    @Test(.enabled(if: hasIPv6, "needs IPv6 on loopback"))
    func defaultAddressAnswersIPv4AndIPv6() throws {
        let server = try HTTPServer.start(port: 0) { path in path == "/healthz" ? .text("ok\n") : nil }
        defer { server.stop() }
        #expect(server.host == "::")
        #expect(Self.statusLine(family: AF_INET, host: "127.0.0.1", port: server.port) == "HTTP/1.1 200 OK")
        #expect(Self.statusLine(family: AF_INET6, host: "::1", port: server.port) == "HTTP/1.1 200 OK")
    }

    @Test func anIPv4AddressListensOnIPv4Only() throws {
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0) { path in path == "/healthz" ? .text("ok\n") : nil }
        defer { server.stop() }
        #expect(Self.statusLine(family: AF_INET, host: "127.0.0.1", port: server.port) == "HTTP/1.1 200 OK")
        if Self.hasIPv6 { #expect(Self.statusLine(family: AF_INET6, host: "::1", port: server.port) == nil) }
    }
}
