/// Why the HTTP server could not start; the message says what to change.
public enum HTTPServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The host is not an IPv4 address.
    case badHost(String)
    /// The port is taken (`EADDRINUSE`).
    case portInUse(host: String, port: UInt16)
    /// Binding needs privileges (`EACCES`), e.g. a port below 1024.
    case portDenied(host: String, port: UInt16)
    /// Another socket or thread call failed.
    case failed(Errno)

    public var description: String {
        switch self {
        case .badHost(let host):
            "HTTP host '\(host)' is not an IPv4 address; use 0.0.0.0 (all interfaces) or 127.0.0.1"
        case .portInUse(let host, let port):
            "HTTP port \(port) on \(host) is already in use; choose another --http-port or stop the other process"
        case .portDenied(let host, let port):
            "binding HTTP port \(port) on \(host) is not permitted; use a port above 1023"
        case .failed(let errno):
            "HTTP server: \(errno)"
        }
    }
}
