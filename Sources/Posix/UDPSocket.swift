#if canImport(Glibc)
import Glibc
#endif

/// A bound UDP socket with kernel receive timestamps.
///
/// Why kernel timestamps: a clock sample is only as good as its receive
/// time, and the thread that calls `recvmsg` may be scheduled late. With
/// `SO_TIMESTAMPNS` the kernel stamps each datagram (on `CLOCK_REALTIME`)
/// when it is queued; `receive` also reads both clocks right after
/// `recvmsg`, so the caller can move the stamp onto `CLOCK_MONOTONIC` with
/// the realtime−monotonic difference of that moment (see
/// `ReceivedDatagram.monotonicReceiveNanos`). `SO_RXQ_OVFL` reports how many
/// datagrams the kernel dropped because the receive buffer was full, so a
/// flood shows up in metrics instead of vanishing.
public final class UDPSocket: Sendable {
    public let fd: Int32
    /// The address this socket is bound to (the real port when bound to 0).
    public let localAddress: SocketAddress

    /// Binds `host:port` (IPv4 `0.0.0.0` or a numeric address; port 0 = any).
    public static func bind(host: String = "0.0.0.0", port: UInt16, receiveBufferBytes: Int32 = 4 << 20) throws(UDPSocketError) -> UDPSocket {
        guard let address = SocketAddress(numericHost: host, port: port) else { throw .badHost(host) }
        let domain = address.family == .ipv4 ? AF_INET : AF_INET6
        let fd = socket(domain, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .failed(Errno.current("socket")) }
        var one: Int32 = 1
        var size = receiveBufferBytes
        let intSize = socklen_t(MemoryLayout<Int32>.size)
        _ = setsockopt(fd, SOL_SOCKET, UDPSocketOptions.timestampNanos, &one, intSize)
        _ = setsockopt(fd, SOL_SOCKET, UDPSocketOptions.receiveQueueOverflow, &one, intSize)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, intSize)
        let rc = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        if rc != 0 {
            let error = Errno.current("bind \(address)")
            _ = close(fd)
            switch error.rawValue {
            case EADDRINUSE: throw .portInUse(address.description)
            case EACCES: throw .portDenied(address.description)
            default: throw .failed(error)
            }
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let local = named == 0 ? withUnsafePointer(to: &storage) { SocketAddress(storage: UnsafeRawPointer($0)) } : nil
        return UDPSocket(fd: fd, localAddress: local ?? address)
    }

    private init(fd: Int32, localAddress: SocketAddress) {
        self.fd = fd
        self.localAddress = localAddress
    }

    deinit { _ = close(fd) }

    /// Sends one datagram. Errors a peer causes (unreachable, refused, no
    /// buffer) are returned, not thrown: UDP is best effort and the caller
    /// only counts them.
    @discardableResult
    public func send(_ bytes: [UInt8], to address: SocketAddress) -> Errno? {
        let n = bytes.withUnsafeBytes { raw in
            address.withSockaddr { sendto(fd, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, $1) }
        }
        return n < 0 ? Errno.current("sendto \(address)") : nil
    }

    /// Waits up to `timeoutNanos` for one datagram; nil on timeout.
    public func receive(timeoutNanos: Int64) throws(Errno) -> ReceivedDatagram? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        // poll(2) counts milliseconds: round up so a wait is never cut short.
        let waitMillis = Int32(clamping: (max(0, timeoutNanos) + 999_999) / 1_000_000)
        let ready = poll(&pfd, 1, waitMillis)
        if ready < 0 {
            if errno == EINTR { return nil }
            throw Errno.current("ppoll")
        }
        if ready == 0 { return nil }
        return try receiveNow()
    }

    /// Reads one queued datagram without waiting; nil when none is queued.
    public func receiveNow() throws(Errno) -> ReceivedDatagram? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var control = [UInt64](repeating: 0, count: 16)  // 128 bytes, 8-aligned
        var storage = sockaddr_storage()
        var controlLength = 0
        let count: Int = buffer.withUnsafeMutableBytes { data in
            control.withUnsafeMutableBytes { control in
                withUnsafeMutablePointer(to: &storage) { source in
                    var iov = iovec(iov_base: data.baseAddress, iov_len: data.count)
                    return withUnsafeMutablePointer(to: &iov) { iovPointer in
                        var header = msghdr()
                        header.msg_name = UnsafeMutableRawPointer(source)
                        header.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                        header.msg_iov = iovPointer
                        header.msg_iovlen = 1
                        header.msg_control = control.baseAddress
                        header.msg_controllen = control.count
                        let n = recvmsg(fd, &header, Int32(MSG_DONTWAIT))
                        if n >= 0 { controlLength = header.msg_controllen }
                        return n
                    }
                }
            }
        }
        let monotonic = MonotonicClock().nowNanos()
        let realtime = MonotonicClock().realtimeNanos()
        if count < 0 {
            if errno == EAGAIN || errno == EINTR { return nil }
            throw Errno.current("recvmsg")
        }
        guard let source = withUnsafePointer(to: &storage, { SocketAddress(storage: UnsafeRawPointer($0)) }) else { return nil }
        let ancillary = control.withUnsafeBytes { UDPSocketOptions.parse(UnsafeRawBufferPointer(rebasing: $0[0..<min(controlLength, $0.count)])) }
        return ReceivedDatagram(
            bytes: Array(buffer[0..<count]), source: source, kernelRealtimeNanos: ancillary.timestampNanos,
            monotonicAfterNanos: monotonic, realtimeAfterNanos: realtime, kernelDropsTotal: ancillary.dropsTotal)
    }
}
