#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address with a UDP port, as a plain value.
///
/// Why a value and not a `sockaddr_storage`: the cores key their agent and
/// coordinator tables by address, so it must be `Hashable` and `Sendable`
/// and compare equal for the same peer however the kernel filled the struct.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable {
        case ipv4
        case ipv6
    }

    public let family: Family
    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public let addressBytes: [UInt8]
    public let port: UInt16

    public init(family: Family, addressBytes: [UInt8], port: UInt16) {
        precondition(addressBytes.count == (family == .ipv4 ? 4 : 16), "address bytes do not match the family")
        self.family = family
        self.addressBytes = addressBytes
        self.port = port
    }

    /// A numeric address such as `127.0.0.1` or `::1`; nil for a name.
    public init?(numericHost host: String, port: UInt16) {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            self.init(family: .ipv4, addressBytes: withUnsafeBytes(of: &v4) { Array($0) }, port: port)
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            self.init(family: .ipv6, addressBytes: withUnsafeBytes(of: &v6) { Array($0) }, port: port)
            return
        }
        return nil
    }

    /// `127.0.0.1:7070` or `[::1]:7070`.
    public var description: String {
        family == .ipv4 ? "\(host):\(port)" : "[\(host)]:\(port)"
    }

    /// The address without the port, as text.
    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        addressBytes.withUnsafeBytes { raw in
            _ = inet_ntop(family == .ipv4 ? AF_INET : AF_INET6, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Splits `host:port` or `[v6]:port`; nil when there is no valid port.
    public static func splitHostPort(_ text: String) -> (host: String, port: UInt16)? {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), !host.isEmpty else { return nil }
            return (host, port)
        }
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, !host.contains(":") else { return nil }
        return (host, port)
    }

    /// Calls `body` with this address as a kernel `sockaddr`.
    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        switch family {
        case .ipv4:
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin_addr) { $0.copyBytes(from: addressBytes) }
            return withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .ipv6:
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin6_addr) { $0.copyBytes(from: addressBytes) }
            return withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }

    /// Reads a kernel-filled `sockaddr_storage`; nil for other families.
    init?(storage: UnsafeRawPointer) {
        let family = storage.load(as: sockaddr.self).sa_family
        switch Int32(family) {
        case AF_INET:
            let sa = storage.load(as: sockaddr_in.self)
            var addr = sa.sin_addr
            self.init(family: .ipv4, addressBytes: withUnsafeBytes(of: &addr) { Array($0) }, port: UInt16(bigEndian: sa.sin_port))
        case AF_INET6:
            let sa = storage.load(as: sockaddr_in6.self)
            var addr = sa.sin6_addr
            self.init(family: .ipv6, addressBytes: withUnsafeBytes(of: &addr) { Array($0) }, port: UInt16(bigEndian: sa.sin6_port))
        default:
            return nil
        }
    }
}
