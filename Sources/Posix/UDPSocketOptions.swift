#if canImport(Glibc)
import Glibc
#endif

/// The socket options and control messages `UDPSocket` uses, with the
/// numbers Linux uses on 64-bit targets (Glibc's macros for them are not
/// always importable into Swift).
enum UDPSocketOptions {
    /// `SO_TIMESTAMPNS` (= `SCM_TIMESTAMPNS`): a `struct timespec` on `CLOCK_REALTIME`.
    static let timestampNanos: Int32 = 35
    /// `SO_RXQ_OVFL`: a `uint32` count of datagrams dropped for lack of buffer.
    static let receiveQueueOverflow: Int32 = 40

    struct Ancillary {
        var timestampNanos: Int64?
        var dropsTotal: UInt32?
    }

    /// Walks the control messages (`cmsghdr`: `size_t len; int level; int type;`
    /// then data, each aligned to 8 bytes on 64-bit Linux).
    static func parse(_ control: UnsafeRawBufferPointer) -> Ancillary {
        var result = Ancillary()
        let headerSize = MemoryLayout<Int>.size + 2 * MemoryLayout<Int32>.size
        var offset = 0
        while offset + headerSize <= control.count {
            let length = control.loadUnaligned(fromByteOffset: offset, as: Int.self)
            let level = control.loadUnaligned(fromByteOffset: offset + MemoryLayout<Int>.size, as: Int32.self)
            let type = control.loadUnaligned(fromByteOffset: offset + MemoryLayout<Int>.size + 4, as: Int32.self)
            guard length >= headerSize, offset + length <= control.count else { break }
            let data = offset + headerSize
            if level == SOL_SOCKET && type == timestampNanos && length - headerSize >= MemoryLayout<timespec>.size {
                let seconds = control.loadUnaligned(fromByteOffset: data, as: Int.self)
                let nanos = control.loadUnaligned(fromByteOffset: data + MemoryLayout<Int>.size, as: Int.self)
                result.timestampNanos = Int64(seconds) * 1_000_000_000 + Int64(nanos)
            } else if level == SOL_SOCKET && type == receiveQueueOverflow && length - headerSize >= 4 {
                result.dropsTotal = control.loadUnaligned(fromByteOffset: data, as: UInt32.self)
            }
            offset += (length + 7) & ~7
        }
        return result
    }
}

/// One received datagram, its sender and when it arrived.
public struct ReceivedDatagram: Sendable {
    public var bytes: [UInt8]
    public var source: SocketAddress
    /// The kernel's `SO_TIMESTAMPNS` stamp (`CLOCK_REALTIME`), when given.
    public var kernelRealtimeNanos: Int64?
    /// `CLOCK_MONOTONIC` read right after `recvmsg` returned.
    public var monotonicAfterNanos: Int64
    /// `CLOCK_REALTIME` read right after the monotonic reading.
    public var realtimeAfterNanos: Int64
    /// The kernel's running count of datagrams dropped on this socket
    /// because its receive buffer was full (`SO_RXQ_OVFL`), when given.
    public var kernelDropsTotal: UInt32?

    /// The arrival on `CLOCK_MONOTONIC`: the kernel stamp moved across with
    /// the realtime−monotonic difference read just now, or the reading after
    /// `recvmsg` when there is no stamp. A stamp later than the reading (a
    /// realtime step between the two) is not trusted either.
    public var monotonicReceiveNanos: Int64 {
        guard let kernel = kernelRealtimeNanos else { return monotonicAfterNanos }
        let converted = kernel - (realtimeAfterNanos - monotonicAfterNanos)
        // A stamp more than a second old or in the future means a realtime step.
        if converted > monotonicAfterNanos || monotonicAfterNanos - converted > 1_000_000_000 { return monotonicAfterNanos }
        return converted
    }

    /// The arrival on `CLOCK_REALTIME`: the kernel stamp, else the reading.
    public var realtimeReceiveNanos: Int64 { kernelRealtimeNanos ?? realtimeAfterNanos }

    public init(bytes: [UInt8], source: SocketAddress, kernelRealtimeNanos: Int64?, monotonicAfterNanos: Int64,
                realtimeAfterNanos: Int64, kernelDropsTotal: UInt32?) {
        self.bytes = bytes
        self.source = source
        self.kernelRealtimeNanos = kernelRealtimeNanos
        self.monotonicAfterNanos = monotonicAfterNanos
        self.realtimeAfterNanos = realtimeAfterNanos
        self.kernelDropsTotal = kernelDropsTotal
    }
}

/// Why a UDP socket could not be opened; says what to change.
public enum UDPSocketError: Error, Sendable, Hashable, CustomStringConvertible {
    case badHost(String)
    case portInUse(String)
    case portDenied(String)
    case failed(Errno)

    public var description: String {
        switch self {
        case .badHost(let host): "'\(host)' is not a numeric IP address to listen on; use 0.0.0.0 or an address of this host"
        case .portInUse(let address): "UDP \(address) is already in use; stop the other process or choose another --port"
        case .portDenied(let address): "not allowed to bind UDP \(address); use a port above 1023 or run with the needed capability"
        case .failed(let errno): "UDP socket: \(errno)"
        }
    }
}
