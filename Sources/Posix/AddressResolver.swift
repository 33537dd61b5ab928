#if canImport(Glibc)
import Glibc
#endif

/// Turns a DNS name (a Kubernetes Service) into every address it has.
///
/// Why all of them: a headless Service resolves to one A/AAAA record per
/// ready pod, and the coordinator must tick every agent; the agent's
/// coordinator Service may likewise have several coordinators during a
/// rolling update.
public enum AddressResolver {
    /// Every distinct A and AAAA address of `host`, with `port`, in the
    /// resolver's order. A numeric host resolves to itself without DNS.
    /// Blocks for as long as `getaddrinfo` does: call it off the timing path.
    public static func resolve(host: String, port: UInt16) throws(ResolveError) -> [SocketAddress] {
        if let numeric = SocketAddress(numericHost: host, port: port) { return [numeric] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0 else {
            throw ResolveError(host: host, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(list) }
        var out: [SocketAddress] = []
        var node = list
        while let entry = node {
            if let address = entry.pointee.ai_addr, let parsed = SocketAddress(storage: UnsafeRawPointer(address)),
               !out.contains(parsed) {
                out.append(parsed)
            }
            node = entry.pointee.ai_next
        }
        return out
    }
}

/// A name that did not resolve; the message names it and the resolver's reason.
public struct ResolveError: Error, Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var reason: String
    public var description: String { "cannot resolve \(host): \(reason); check the Service name and that DNS works in the pod" }
}
