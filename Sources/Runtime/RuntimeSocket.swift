import Posix

/// Opens the UDP socket both runtimes listen on.
enum RuntimeSocket {
    /// `0.0.0.0` (the default) means every interface: dual-stack when the
    /// kernel has IPv6. Any other value is a numeric address to bind. The
    /// receive buffer is enlarged (best effort) to ride out bursts.
    static func open(host: String, port: UInt16) throws(Errno) -> UDPSocket {
        let socket: UDPSocket
        if host == "0.0.0.0" || host == "::" {
            socket = try UDPSocket.bindingAllInterfaces(port: port)
        } else {
            guard let address = SocketAddress(numericHost: host, port: port) else {
                throw Errno(rawValue: Errno.addressFamilyNotSupported, operation: "--listen \(host) is not a numeric IP address")
            }
            socket = try UDPSocket(binding: address)
        }
        try? socket.setReceiveBufferBytes(4 << 20)
        return socket
    }
}
