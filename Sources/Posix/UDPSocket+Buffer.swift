#if canImport(Glibc)
import Glibc
#endif

extension UDPSocket {
    /// Asks for a larger kernel receive buffer (`SO_RCVBUF`; the kernel caps
    /// it at `net.core.rmem_max`), so a burst of datagrams, such as a flood
    /// of garbage, is queued rather than dropped before the agent sees it.
    public func setReceiveBufferBytes(_ bytes: Int32) throws(Errno) {
        let descriptor = descriptor
        try Errno.retryingOnInterrupt("setsockopt(SO_RCVBUF)") {
            Syscalls.setOption(descriptor, level: SOL_SOCKET, name: SO_RCVBUF, value: bytes)
        }
    }
}
