#if canImport(Glibc)
import Glibc
#endif

/// The socket errors callers of `UDPSocket` may want to tell apart.
extension Errno {
    /// The corresponding C error is `EADDRINUSE`: another socket has the port.
    public static let addressInUse: Int32 = EADDRINUSE
    /// The corresponding C error is `EAFNOSUPPORT`: no IPv6 (or IPv4) in this kernel.
    public static let addressFamilyNotSupported: Int32 = EAFNOSUPPORT
    /// The corresponding C error is `ENETUNREACH`: no route to the destination.
    public static let networkUnreachable: Int32 = ENETUNREACH
}
