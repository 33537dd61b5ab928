#if canImport(Glibc)
import Glibc
#endif

/// The thin shims over the socket calls of libc: every socket-related Glibc
/// function the target calls is called here, with Swift types at the edges,
/// so the wrappers above read as intent and a test double would have one
/// place to replace. Each returns the raw result (-1 and `errno` on failure);
/// `Errno.retryingOnInterrupt` turns that into a thrown `Errno`.
enum Syscalls {
    static func socket(family: Int32, type: Int32) -> Int32 {
        Glibc.socket(family, type, 0)
    }

    static func close(_ descriptor: Int32) -> Int32 {
        Glibc.close(descriptor)
    }

    static func setOption(_ descriptor: Int32, level: Int32, name: Int32, value: Int32) -> Int32 {
        var value = value
        return setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    static func bind(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
        Glibc.bind(descriptor, address, length)
    }

    static func localName(_ descriptor: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: inout socklen_t) -> Int32 {
        getsockname(descriptor, address, &length)
    }

    static func sendTo(
        _ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, _ address: UnsafePointer<sockaddr>, _ length: socklen_t
    ) -> Int {
        sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), address, length)
    }

    static func receiveMessage(_ descriptor: Int32, _ message: inout msghdr) -> Int {
        recvmsg(descriptor, &message, Int32(MSG_DONTWAIT))
    }

    /// Waits until `descriptor` is readable or `timeoutMillis` pass (-1: forever).
    static func pollReadable(_ descriptor: Int32, timeoutMillis: Int32) -> Int32 {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, timeoutMillis)
    }

    static func monotonicNanos() -> Int64 { MonotonicClock().nowNanos() }

    static func getAddressInfo(
        _ host: String, _ service: String, _ hints: inout addrinfo, _ result: inout UnsafeMutablePointer<addrinfo>?
    ) -> Int32 {
        getaddrinfo(host, service, &hints, &result)
    }

    static func freeAddressInfo(_ list: UnsafeMutablePointer<addrinfo>) { freeaddrinfo(list) }

    static func addressInfoErrorText(_ code: Int32) -> String { String(cString: gai_strerror(code)) }

    static func formatAddress(family: Int32, _ address: UnsafeRawPointer) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        return text.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, inet_ntop(family, address, base, socklen_t(buffer.count)) != nil else {
                return "?"
            }
            return String(cString: base)
        }
    }

    static func parseAddress(family: Int32, _ text: String, into address: UnsafeMutableRawPointer) -> Bool {
        inet_pton(family, text, address) == 1
    }
}
