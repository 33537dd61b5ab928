#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 GET for loopback status endpoints: the live
/// simulator reads each agent's `/status`, tests read `/metrics`.
///
/// Why so small: it only ever talks to junction's own `HTTPServer`, which
/// answers one request per connection and closes it; the whole exchange is
/// bounded by one deadline.
public enum HTTPClient {
    /// A status code and body.
    public struct Reply: Sendable, Hashable {
        public var status: Int
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// `GET path` from IPv4 `host:port`, giving up after `timeoutNanos`.
    public static func get(host: String = "127.0.0.1", port: UInt16, path: String, timeoutNanos: Int64 = 1_000_000_000) throws(Errno) -> Reply? {
        guard let address = SocketAddress(numericHost: host, port: port), address.isIPv4 else { return nil }
        let deadline = MonotonicClock().nowNanos() + timeoutNanos
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Errno.current("socket") }
        defer { close(fd) }
        let rc = address.withKernelAddress(asIPv6: false) { connect(fd, $0, $1) }
        if rc != 0 && errno != EINPROGRESS { throw Errno.current("connect \(address)") }
        guard waitFor(fd, Int16(POLLOUT), deadline: deadline) else { return nil }
        var soError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
        if soError != 0 { throw Errno(rawValue: soError, operation: "connect \(address)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            guard waitFor(fd, Int16(POLLOUT), deadline: deadline) else { return nil }
            let n = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 { if errno == EAGAIN || errno == EINTR { continue }; throw Errno.current("send") }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            guard waitFor(fd, Int16(POLLIN), deadline: deadline) else { return nil }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { if errno == EAGAIN || errno == EINTR { continue }; throw Errno.current("recv") }
            if n == 0 { break }
            response.append(contentsOf: buffer[0..<n])
            if response.count > 8 << 20 { break }
        }
        return parse(response)
    }

    private static func waitFor(_ fd: Int32, _ events: Int16, deadline: Int64) -> Bool {
        while true {
            let left = deadline - MonotonicClock().nowNanos()
            if left <= 0 { return false }
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&pfd, 1, Int32(clamping: (left + 999_999) / 1_000_000))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
    }

    static func parse(_ response: [UInt8]) -> Reply? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, response.count - 3)).first(where: { Array(response[$0..<$0 + 4]) == separator }) else { return nil }
        let head = String(decoding: response[0..<end], as: UTF8.self)
        let parts = head.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        return Reply(status: status, body: Array(response[(end + 4)...]))
    }
}
