#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address and UDP port: a value with no heap storage, so it
/// can be compared, hashed and passed between threads freely (agents are
/// keyed by it). IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) received on a
/// dual-stack socket are turned back into IPv4, so one peer has one address.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Host: Sendable, Hashable {
        /// The address as a number: 127.0.0.1 is `0x7f00_0001`.
        case ipv4(UInt32)
        /// The 128-bit address as two numbers (`::1` is high 0, low 1) and
        /// the interface scope for link-local addresses (0 otherwise).
        case ipv6(high: UInt64, low: UInt64, scopeID: UInt32)
    }

    public var host: Host
    public var port: UInt16

    public init(host: Host, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// 127.0.0.1
    public static func loopbackIPv4(port: UInt16) -> SocketAddress { SocketAddress(host: .ipv4(0x7f00_0001), port: port) }
    /// ::1
    public static func loopbackIPv6(port: UInt16) -> SocketAddress { SocketAddress(host: .ipv6(high: 0, low: 1, scopeID: 0), port: port) }
    /// 0.0.0.0: every IPv4 interface.
    public static func anyIPv4(port: UInt16) -> SocketAddress { SocketAddress(host: .ipv4(0), port: port) }
    /// [::]: every interface; a socket bound here also takes IPv4 (dual stack).
    public static func anyIPv6(port: UInt16) -> SocketAddress { SocketAddress(host: .ipv6(high: 0, low: 0, scopeID: 0), port: port) }

    /// Parses a numeric address such as "10.0.0.7" or "fe80::1" (no names:
    /// use `AddressResolver` for those). Nil when the text is not one.
    public init?(numericHost text: String, port: UInt16) {
        var v4 = in_addr()
        if Syscalls.parseAddress(family: AF_INET, text, into: &v4) {
            self.init(host: .ipv4(UInt32(bigEndian: v4.s_addr)), port: port)
            return
        }
        var v6 = in6_addr()
        guard Syscalls.parseAddress(family: AF_INET6, text, into: &v6) else { return nil }
        self.init(storage: v6, port: port, scopeID: 0)
    }

    public var isIPv4: Bool {
        if case .ipv4 = host { return true }
        return false
    }

    /// "10.0.0.7:9000" or "[fe80::1%2]:9000".
    public var description: String {
        switch host {
        case let .ipv4(address):
            var raw = in_addr(s_addr: address.bigEndian)
            return "\(Syscalls.formatAddress(family: AF_INET, &raw)):\(port)"
        case let .ipv6(high, low, scopeID):
            var raw = Self.in6(high: high, low: low)
            let scope = scopeID == 0 ? "" : "%\(scopeID)"
            return "[\(Syscalls.formatAddress(family: AF_INET6, &raw))\(scope)]:\(port)"
        }
    }
}

// MARK: Kernel representation

extension SocketAddress {
    private init(storage: in6_addr, port: UInt16, scopeID: UInt32) {
        var copy = storage
        let (high, low) = withUnsafeBytes(of: &copy) { raw in
            (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
             UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
        if high == 0, low >> 32 == 0x0000_ffff {
            self.init(host: .ipv4(UInt32(truncatingIfNeeded: low)), port: port)
        } else {
            self.init(host: .ipv6(high: high, low: low, scopeID: scopeID), port: port)
        }
    }

    private static func in6(high: UInt64, low: UInt64) -> in6_addr {
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { raw in
            raw.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
        }
        return address
    }

    /// Reads a `sockaddr_in` or `sockaddr_in6`; nil for other families.
    init?(kernel raw: UnsafeRawPointer, length: Int) {
        let family = raw.loadUnaligned(as: sa_family_t.self)
        if Int32(family) == AF_INET, length >= MemoryLayout<sockaddr_in>.size {
            let v4 = raw.loadUnaligned(as: sockaddr_in.self)
            self.init(host: .ipv4(UInt32(bigEndian: v4.sin_addr.s_addr)), port: UInt16(bigEndian: v4.sin_port))
        } else if Int32(family) == AF_INET6, length >= MemoryLayout<sockaddr_in6>.size {
            let v6 = raw.loadUnaligned(as: sockaddr_in6.self)
            self.init(storage: v6.sin6_addr, port: UInt16(bigEndian: v6.sin6_port), scopeID: v6.sin6_scope_id)
        } else {
            return nil
        }
    }

    /// Calls `body` with this address as a kernel `sockaddr`. With
    /// `asIPv6`, an IPv4 address is given in IPv4-mapped form, as a
    /// dual-stack IPv6 socket needs it.
    func withKernelAddress<R>(asIPv6: Bool, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        switch host {
        case let .ipv4(address) where !asIPv6:
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            v4.sin_addr = in_addr(s_addr: address.bigEndian)
            return withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case let .ipv4(address):
            return Self.v6(high: 0, low: 0x0000_ffff_0000_0000 | UInt64(address), scopeID: 0, port: port, body)
        case let .ipv6(high, low, scopeID):
            return Self.v6(high: high, low: low, scopeID: scopeID, port: port, body)
        }
    }

    private static func v6<R>(
        high: UInt64, low: UInt64, scopeID: UInt32, port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R
    ) -> R {
        var v6 = sockaddr_in6()
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = port.bigEndian
        v6.sin6_addr = in6(high: high, low: low)
        v6.sin6_scope_id = scopeID
        return withUnsafePointer(to: &v6) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }
}
