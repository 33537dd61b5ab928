import Testing
@testable import Posix

/// Loopback tests: real sockets, no sleeping. Every wait has a timeout, so a
/// lost datagram fails the test instead of hanging it.
@Suite struct UDPSocketTests {
    static let generousTimeoutNanos: Int64 = 5_000_000_000

    @Test func sendAndReceiveOnIPv4Loopback() throws {
        let receiver = try UDPSocket(binding: .loopbackIPv4(port: 0))
        let sender = try UDPSocket(binding: .loopbackIPv4(port: 0))
        let target = try receiver.localAddress()
        #expect(target.isIPv4 && target.port != 0)
        let payload: [UInt8] = [1, 2, 3, 250, 0, 7]
        let realtimeBefore = MonotonicClock().realtimeNanos()
        let monotonicBefore = MonotonicClock().nowNanos()
        try sender.send(payload, to: target)
        let datagram = try #require(try receiver.receive(timeoutNanos: Self.generousTimeoutNanos))
        let monotonicAfter = MonotonicClock().nowNanos()
        let realtimeAfter = MonotonicClock().realtimeNanos()
        #expect(datagram.bytes == payload)
        let senderAddress = try sender.localAddress()  // outside #expect: Swift 6.0 rejects `try` in its autoclosure
        #expect(datagram.source == senderAddress)
        #expect(!datagram.truncated)
        // The kernel timestamp is CLOCK_REALTIME and falls between our two readings
        // (1 ms slack for the wall clock's coarser reads).
        let kernel = try #require(datagram.kernelRealtimeNanos)
        #expect(kernel >= realtimeBefore - 1_000_000 && kernel <= realtimeAfter + 1_000_000)
        #expect(datagram.monotonicNanos >= monotonicBefore && datagram.monotonicNanos <= monotonicAfter)
    }

    /// Whether this kernel has IPv6 on loopback; the dual-stack test is
    /// reported as skipped (not passed) without it.
    static let hasIPv6 = (try? UDPSocket(binding: .loopbackIPv6(port: 0))) != nil

    @Test(.enabled(if: hasIPv6, "needs IPv6 on loopback"))
    func dualStackSocketTakesIPv4AndIPv6() throws {
        let receiver = try UDPSocket(binding: .anyIPv6(port: 0))
        let port = try receiver.localAddress().port
        let v4 = try UDPSocket(binding: .loopbackIPv4(port: 0))
        try v4.send([4], to: .loopbackIPv4(port: port))
        let fromV4 = try #require(try receiver.receive(timeoutNanos: Self.generousTimeoutNanos))
        #expect(fromV4.bytes == [4])
        let v4Address = try v4.localAddress()  // outside #expect: Swift 6.0 rejects `try` in its autoclosure
        #expect(fromV4.source == v4Address, "the IPv4-mapped source comes back as IPv4")
        // Reply from the dual-stack socket to the IPv4 peer.
        try receiver.send([5], to: fromV4.source)
        let reply = try v4.receive(timeoutNanos: Self.generousTimeoutNanos)
        #expect(reply?.bytes == [5])

        let v6 = try UDPSocket(binding: .loopbackIPv6(port: 0))
        try v6.send([6], to: .loopbackIPv6(port: port))
        let fromV6 = try #require(try receiver.receive(timeoutNanos: Self.generousTimeoutNanos))
        #expect(fromV6.bytes == [6])
        #expect(fromV6.source.description.hasPrefix("[::1]:"))
    }

    /// A timeout is a nil value, and it does not end early.
    @Test func timeoutReturnsNil() throws {
        let socket = try UDPSocket(binding: .loopbackIPv4(port: 0))
        let start = MonotonicClock().nowNanos()
        let result = try socket.receive(timeoutNanos: 20_000_000)
        let elapsed = MonotonicClock().nowNanos() - start
        #expect(result == nil)
        #expect(elapsed >= 20_000_000)
        let immediate = try socket.receive(timeoutNanos: 0)
        #expect(immediate == nil)
    }

    @Test func oversizeDatagramsAreMarkedTruncated() throws {
        let receiver = try UDPSocket(binding: .loopbackIPv4(port: 0))
        let sender = try UDPSocket(binding: .loopbackIPv4(port: 0))
        try sender.send([UInt8](repeating: 9, count: 100), to: try receiver.localAddress())
        let datagram = try #require(try receiver.receive(timeoutNanos: Self.generousTimeoutNanos, maximumByteCount: 10))
        #expect(datagram.truncated)
        #expect(datagram.bytes == [UInt8](repeating: 9, count: 10))
    }

    @Test func bindingAPortInUseFailsWithErrno() throws {
        let first = try UDPSocket(binding: .loopbackIPv4(port: 0))
        let taken = try first.localAddress()
        do {
            _ = try UDPSocket(binding: taken)
            Issue.record("binding a port in use must fail")
        } catch {
            #expect(error.rawValue == Errno.addressInUse)
            #expect(error.description.contains("bind(127.0.0.1:\(taken.port))"))
        }
    }

    @Test func bindingAllInterfacesGetsAPort() throws {
        let socket = try UDPSocket.bindingAllInterfaces(port: 0)
        #expect(try socket.localAddress().port != 0)
    }
}
