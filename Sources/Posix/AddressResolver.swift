#if canImport(Glibc)
import Glibc
#endif

/// Turns a host name into every address it has, with `getaddrinfo`: both A
/// and AAAA records, in the resolver's order, without duplicates. For a
/// Kubernetes headless Service this is one address per ready pod, which is how
/// a coordinator finds its agents (and an agent its coordinators).
///
/// `getaddrinfo` blocks (it may ask DNS); call it off latency-critical threads.
public enum AddressResolver {
    public static func resolve(host: String, port: UInt16) throws(ResolveError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_UDP)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        var code: Int32
        repeat {
            code = Syscalls.getAddressInfo(host, String(port), &hints, &list)
        } while code == EAI_SYSTEM && errno == EINTR
        guard code == 0, let first = list else {
            throw ResolveError(host: host, code: code, detail: Syscalls.addressInfoErrorText(code))
        }
        defer { Syscalls.freeAddressInfo(first) }
        var addresses = AddressUnion()
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let raw = entry.pointee.ai_addr,
                let address = SocketAddress(kernel: raw, length: Int(entry.pointee.ai_addrlen))
            {
                addresses.add(address)
            }
            cursor = entry.pointee.ai_next
        }
        return addresses.addresses
    }
}

/// Why a name did not resolve, with what to check.
public struct ResolveError: Error, Sendable, Hashable, CustomStringConvertible {
    public var host: String
    /// The `getaddrinfo` error code (`EAI_*`).
    public var code: Int32
    /// `gai_strerror` of the code.
    public var detail: String

    public enum Kind: Sendable, Hashable {
        /// The name does not exist (or has no addresses): check the spelling,
        /// the namespace and that the Service exists.
        case notFound
        /// DNS could not answer now: retry later.
        case temporary
        /// Anything else.
        case other
    }

    /// `EAI_NODATA` and `EAI_ADDRFAMILY` (glibc extensions that Swift does
    /// not see without `_GNU_SOURCE`): the name exists but has no addresses.
    static let noData: Int32 = -5
    static let addressFamily: Int32 = -9

    public var kind: Kind {
        switch code {
        case EAI_NONAME, Self.noData, Self.addressFamily: .notFound
        case EAI_AGAIN: .temporary
        default: .other
        }
    }

    public var description: String {
        switch kind {
        case .notFound:
            "cannot resolve \"\(host)\": \(detail); check the host name (for Kubernetes, the headless Service "
                + "name and namespace) and that it has ready endpoints"
        case .temporary:
            "cannot resolve \"\(host)\" right now: \(detail); DNS is unavailable, it will be retried"
        case .other:
            "cannot resolve \"\(host)\": \(detail)"
        }
    }
}
