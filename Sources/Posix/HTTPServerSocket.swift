#if canImport(Glibc)
import Glibc
#endif

/// The socket and poll calls of the HTTP server, each a thin typed shim.
/// Descriptors are non-blocking and close-on-exec throughout.
enum HTTPServerSocket {
    /// The address every interface answers on: IPv6 `::` with IPv4 mapped
    /// (IPV6_V6ONLY off), so one socket serves both families; probes and
    /// scrapers on an IPv6-only or dual-stack cluster reach it either way.
    static let anyHost = "::"

    /// A listening TCP socket on `host:port` (port 0 = any free port). An
    /// IPv6 literal (`::` by default) listens dual-stack; an IPv4 literal
    /// listens on IPv4 only. `::` falls back to `0.0.0.0` on a kernel without
    /// IPv6 (socket(AF_INET6) fails with EAFNOSUPPORT).
    static func listen(host: String, port: UInt16, backlog: Int32 = 64) throws(HTTPServerError) -> Int32 {
        if host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw .badHost(host) }
            let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 && errno == EAFNOSUPPORT && host == anyHost {
                return try listen(host: "0.0.0.0", port: port, backlog: backlog)
            }
            guard fd >= 0 else { throw .failed(Errno.current("socket")) }
            var off: Int32 = 0
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, socklen_t(MemoryLayout<Int32>.size))
            return try bindAndListen(fd, &address, host: host, port: port, backlog: backlog)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw .badHost(host) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .failed(Errno.current("socket")) }
        return try bindAndListen(fd, &address, host: host, port: port, backlog: backlog)
    }

    private static func bindAndListen<Address>(
        _ fd: Int32, _ address: inout Address, host: String, port: UInt16, backlog: Int32
    ) throws(HTTPServerError) -> Int32 {
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
        if bound != 0 {
            let error = Errno.current("bind \(host):\(port)")
            _ = Glibc.close(fd)
            switch error.rawValue {
            case EADDRINUSE: throw .portInUse(host: host, port: port)
            case EACCES: throw .portDenied(host: host, port: port)
            default: throw .failed(error)
            }
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = Errno.current("listen")
            _ = Glibc.close(fd)
            throw .failed(error)
        }
        return fd
    }

    /// The port a socket is bound to (the ephemeral one after binding port
    /// 0). The port sits at the same offset in sockaddr_in and sockaddr_in6.
    static func boundPort(_ fd: Int32) throws(HTTPServerError) -> UInt16 {
        var address = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { throw .failed(Errno.current("getsockname")) }
        return UInt16(bigEndian: address.sin6_port)
    }

    /// A pipe used to wake the poll loop; both ends non-blocking.
    static func wakePipe() throws(HTTPServerError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw .failed(Errno.current("pipe")) }
        for fd in fds { configure(fd) }
        return (fds[0], fds[1])
    }

    /// What a non-blocking call did.
    enum IO: Equatable {
        case done(Int)
        case wouldBlock
        /// End of stream or an error: the connection is finished.
        case closed
    }

    /// Accepts one pending connection, non-blocking.
    static func accept(_ listener: Int32) -> IO {
        while true {
            // accept4 is a GNU extension Swift does not import; the window
            // before FD_CLOEXEC is set only matters to a concurrent exec.
            let fd = Glibc.accept(listener, nil, nil)
            if fd >= 0 { configure(fd); return .done(Int(fd)) }
            if errno == EINTR || errno == ECONNABORTED { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .closed
        }
    }

    /// Makes `fd` non-blocking and close-on-exec.
    private static func configure(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    static func read(_ fd: Int32, into buffer: inout [UInt8], max: Int) -> IO {
        var chunk = [UInt8](repeating: 0, count: max)
        while true {
            let n = Glibc.read(fd, &chunk, max)
            if n > 0 { buffer += chunk[..<n]; return .done(n) }
            if n == 0 { return .closed }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .closed
        }
    }

    static func write(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> IO {
        while true {
            // MSG_NOSIGNAL: a client that went away must not SIGPIPE the agent.
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n >= 0 { return .done(n) }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .closed
        }
    }

    /// Writes one byte to the wake pipe (a pipe, so write(2), not send(2)).
    static func wake(_ fd: Int32) {
        var byte: UInt8 = 1
        while Glibc.write(fd, &byte, 1) < 0 && errno == EINTR {}
    }

    static func shutdownWrite(_ fd: Int32) { _ = shutdown(fd, Int32(SHUT_WR)) }

    static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// Waits for readiness; `timeoutMillis` -1 waits forever.
    static func poll(_ fds: inout [pollfd], timeoutMillis: Int32) {
        let rc = Glibc.poll(&fds, nfds_t(fds.count), timeoutMillis)
        if rc < 0 { for i in fds.indices { fds[i].revents = 0 } }  // EINTR: just loop again
    }

    static let readable = Int16(POLLIN)
    static let writable = Int16(POLLOUT)
    static let failed = Int16(POLLERR | POLLHUP | POLLNVAL)
}
