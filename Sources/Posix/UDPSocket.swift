#if canImport(Glibc)
import Glibc
#endif

/// One datagram as it arrived, with the two receive times a clock
/// discipline wants.
public struct ReceivedDatagram: Sendable {
    public var bytes: [UInt8]
    public var source: SocketAddress
    /// When the kernel took the datagram off the network, from
    /// `SO_TIMESTAMPNS`. This is **CLOCK_REALTIME** (wall-clock nanoseconds
    /// since the Unix epoch, stepped by NTP), not the monotonic clock; it is
    /// nil if the kernel attached no timestamp.
    public var kernelRealtimeNanos: Int64?
    /// CLOCK_MONOTONIC read right after `recvmsg` returned: later than the
    /// kernel timestamp by the wake-up latency, but on the board's own steady
    /// clock (the one `LocalInstant` uses).
    public var monotonicNanos: Int64
    /// True when the datagram was longer than the receive buffer and was cut
    /// (the codec will then refuse it).
    public var truncated: Bool

    /// A datagram as received (tests build them to check receive-time mapping).
    public init(bytes: [UInt8], source: SocketAddress, kernelRealtimeNanos: Int64?, monotonicNanos: Int64, truncated: Bool) {
        self.bytes = bytes
        self.source = source
        self.kernelRealtimeNanos = kernelRealtimeNanos
        self.monotonicNanos = monotonicNanos
        self.truncated = truncated
    }
}

/// A UDP socket: bind, send to an address, receive with a timeout and kernel
/// timestamps. A timeout is a nil result, not an error; `EINTR` is retried.
/// The descriptor is closed when the last reference goes away. Sending and
/// receiving from different threads at once is safe (the kernel serialises).
public final class UDPSocket: Sendable {
    /// The largest datagram `receive` takes by default: above the protocol's
    /// 1200 so an oversize datagram is seen as oversize, not as truncated.
    public static let defaultReceiveByteCount = 2048

    let descriptor: Int32
    /// Whether the socket is IPv6 (then it takes IPv4 too if dual-stack).
    public let isIPv6: Bool

    /// Binds to `address` (port 0 picks a free port). Binding `[::]`
    /// (`SocketAddress.anyIPv6`) makes a dual-stack socket that also takes
    /// IPv4. Turns on `SO_TIMESTAMPNS`.
    public init(binding address: SocketAddress) throws(Errno) {
        let v6: Bool = if case .ipv6 = address.host { true } else { false }
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let descriptor = try Errno.retryingOnInterrupt("socket") { Syscalls.socket(family: v6 ? AF_INET6 : AF_INET, type: type) }
        do throws(Errno) {
            if v6 {
                try Errno.retryingOnInterrupt("setsockopt(IPV6_V6ONLY)") {
                    Syscalls.setOption(descriptor, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: 0)
                }
            }
            try Errno.retryingOnInterrupt("setsockopt(SO_TIMESTAMPNS)") {
                Syscalls.setOption(descriptor, level: SOL_SOCKET, name: SO_TIMESTAMPNS, value: 1)
            }
            try Errno.retryingOnInterrupt("bind(\(address))") {
                address.withKernelAddress(asIPv6: v6) { Syscalls.bind(descriptor, $0, $1) }
            }
        } catch {
            _ = Syscalls.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        self.isIPv6 = v6
    }

    /// Binds every interface on `port`: dual-stack `[::]` when the kernel has
    /// IPv6, otherwise `0.0.0.0`.
    public static func bindingAllInterfaces(port: UInt16) throws(Errno) -> UDPSocket {
        do {
            return try UDPSocket(binding: .anyIPv6(port: port))
        } catch where error.rawValue == EAFNOSUPPORT || error.rawValue == EADDRNOTAVAIL {
            return try UDPSocket(binding: .anyIPv4(port: port))
        }
    }

    deinit { _ = Syscalls.close(descriptor) }

    /// The address the socket is bound to (with the chosen port after port 0).
    public func localAddress() throws(Errno) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let descriptor = descriptor
        try Errno.retryingOnInterrupt("getsockname") {
            withUnsafeMutableBytes(of: &storage) { raw in
                Syscalls.localName(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            }
        }
        guard let address = withUnsafeBytes(of: &storage, { SocketAddress(kernel: $0.baseAddress!, length: Int(length)) }) else {
            throw Errno(rawValue: EAFNOSUPPORT, operation: "getsockname")
        }
        return address
    }

    /// Sends one datagram. An IPv4 destination works from a dual-stack socket.
    /// Never blocks (`MSG_DONTWAIT`): with the send buffer full it throws
    /// `EAGAIN` and the datagram is lost, as on a congested network; the
    /// thread that changes the lights must not wait for a socket.
    public func send(_ bytes: [UInt8], to destination: SocketAddress) throws(Errno) {
        let v6 = isIPv6
        let descriptor = descriptor
        try Errno.retryingOnInterrupt("sendto(\(destination))") {
            bytes.withUnsafeBytes { buffer in
                destination.withKernelAddress(asIPv6: v6) { Syscalls.sendTo(descriptor, buffer, $0, $1) }
            }
        }
    }

    /// Waits up to `timeoutNanos` (nil: without limit; 0: just looks) for a
    /// datagram. Returns nil when none came in time.
    public func receive(timeoutNanos: Int64?, maximumByteCount: Int = defaultReceiveByteCount) throws(Errno) -> ReceivedDatagram? {
        let deadline = timeoutNanos.map { Syscalls.monotonicNanos() + max(0, $0) }
        while true {
            let ready = try waitReadable(until: deadline)
            if !ready { return nil }
            if let datagram = try receiveNow(maximumByteCount: maximumByteCount) { return datagram }
            // Readable but nothing there (e.g. a datagram with a bad checksum was dropped): wait again.
        }
    }

    /// Polls until readable (true) or the deadline passed (false). The
    /// remaining time is recomputed after every `EINTR` and rounded up to
    /// whole milliseconds, so a wait never ends early.
    private func waitReadable(until deadline: Int64?) throws(Errno) -> Bool {
        let descriptor = descriptor
        let ready = try Errno.retryingOnInterrupt("poll") { () -> Int32 in
            guard let deadline else { return Syscalls.pollReadable(descriptor, timeoutMillis: -1) }
            let remaining = max(0, deadline - Syscalls.monotonicNanos())
            let millis = min(Int64(Int32.max), (remaining + 999_999) / 1_000_000)
            return Syscalls.pollReadable(descriptor, timeoutMillis: Int32(millis))
        }
        return ready > 0
    }

    /// One non-blocking `recvmsg`; nil when nothing is queued.
    private func receiveNow(maximumByteCount: Int) throws(Errno) -> ReceivedDatagram? {
        var source = sockaddr_storage()
        var control = ControlBuffer()
        var bytes = [UInt8](repeating: 0, count: maximumByteCount)
        var flags: Int32 = 0
        var sourceLength = 0
        var controlLength = 0
        let descriptor = descriptor
        let count: Int
        do {
            count = try Errno.retryingOnInterrupt("recvmsg") { () -> Int in
                bytes.withUnsafeMutableBytes { buffer in
                    withUnsafeMutableBytes(of: &source) { name in
                        withUnsafeMutableBytes(of: &control.storage) { controlBytes in
                            var vector = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
                            return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                                var message = msghdr(
                                    msg_name: name.baseAddress, msg_namelen: socklen_t(name.count),
                                    msg_iov: vectorPointer, msg_iovlen: 1,
                                    msg_control: controlBytes.baseAddress, msg_controllen: controlBytes.count, msg_flags: 0)
                                let received = Syscalls.receiveMessage(descriptor, &message)
                                flags = message.msg_flags
                                sourceLength = Int(message.msg_namelen)
                                controlLength = Int(message.msg_controllen)
                                return received
                            }
                        }
                    }
                }
            }
        } catch where error.rawValue == EAGAIN || error.rawValue == EWOULDBLOCK {
            return nil
        }
        let monotonic = Syscalls.monotonicNanos()
        control.usedByteCount = controlLength
        bytes.removeSubrange(min(count, bytes.count)...)
        guard let from = withUnsafeBytes(of: &source, { SocketAddress(kernel: $0.baseAddress!, length: sourceLength) }) else {
            throw Errno(rawValue: EAFNOSUPPORT, operation: "recvmsg source address")
        }
        return ReceivedDatagram(
            bytes: bytes, source: from, kernelRealtimeNanos: control.timestampNanos(), monotonicNanos: monotonic,
            truncated: flags & Int32(MSG_TRUNC) != 0)
    }
}

/// Room for the ancillary data of one `recvmsg` (the `SCM_TIMESTAMPNS`
/// control message), and its parsing. Glibc's `CMSG_*` macros are not
/// visible from Swift, so the walk is written out with the same alignment.
struct ControlBuffer {
    var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    var usedByteCount = 0

    private static func aligned(_ length: Int) -> Int {
        let unit = MemoryLayout<Int>.size
        return (length + unit - 1) & ~(unit - 1)
    }

    /// The `SCM_TIMESTAMPNS` timestamp in nanoseconds, if present.
    mutating func timestampNanos() -> Int64? {
        let used = usedByteCount
        return withUnsafeBytes(of: &storage) { raw -> Int64? in
            let headerLength = Self.aligned(MemoryLayout<cmsghdr>.size)
            var offset = 0
            while offset + headerLength <= min(used, raw.count) {
                let header = raw.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self)
                let length = Int(header.cmsg_len)
                guard length >= headerLength, offset + length <= min(used, raw.count) else { return nil }
                if header.cmsg_level == SOL_SOCKET, header.cmsg_type == SO_TIMESTAMPNS,
                    length - headerLength >= MemoryLayout<timespec>.size
                {
                    let time = raw.loadUnaligned(fromByteOffset: offset + headerLength, as: timespec.self)
                    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
                }
                offset += Self.aligned(length)
            }
            return nil
        }
    }
}
