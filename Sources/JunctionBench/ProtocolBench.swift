import JunctionCore
import Posix
import Protocol

/// Benchmarks of the Protocol area: what one tick costs to seal and to open
/// (the coordinator seals one per agent ten times a second; each agent opens
/// ten a second on a Raspberry Pi), and raw SHA-256 speed.
enum ProtocolBench {
    static func run(into table: inout BenchTable) {
        let codec = DatagramCodec(key: try! AuthKey(bytes: (0..<32).map { UInt8($0) }))
        let tick = Message.tick(Tick(
            coordinatorID: 0xC00D, term: 3, sentAt: TimebaseInstant(nanos: 1_700_000_000_000_000_000),
            plan: PlanRef(id: PlanID(rawValue: 0x1122), anchor: TimebaseInstant(nanos: 1_699_999_000_000_000_000)),
            pending: PlanRef(id: PlanID(rawValue: 0x3344), anchor: TimebaseInstant(nanos: 1_700_000_005_000_000_000)),
            pendingCommitted: true, cyclePositionNanos: 12_345_000_000,
            echo: Echo(reportSentAt: LocalInstant(nanos: 987_654_321),
                       reportReceivedAt: TimebaseInstant(nanos: 1_699_999_999_900_000_000))))
        let agent: UInt64 = 7
        let iterations = 200_000
        let datagram = try! codec.seal(tick, sender: 1, sequence: 1, recipient: agent)

        var sink = 0
        let sealNanos = nanosPerOperation(iterations) { i in
            sink &+= try! codec.seal(tick, sender: 1, sequence: UInt64(i), recipient: agent).count
        }
        let openNanos = nanosPerOperation(iterations) { _ in
            if case let .success(envelope) = codec.open(datagram) { sink &+= Int(truncatingIfNeeded: envelope.sequence) }
        }
        var inbox = Inbox(codec: codec, localID: agent)
        let sealed = (0..<iterations).map { try! codec.seal(tick, sender: 1, sequence: UInt64($0 + 1), recipient: agent) }
        let inboxNanos = nanosPerOperation(iterations) { i in
            if case .success = inbox.receive(sealed[i], timebaseEstimate: TimebaseInstant(nanos: 1_700_000_000_000_000_000)) { sink &+= 1 }
        }
        table.add("protocol", "tick+echo datagram size", Double(datagram.count), "bytes",
                  goal: "<= 1200", met: datagram.count <= Wire.maximumDatagramByteCount)
        table.add("protocol", "seal tick+echo (encode+HMAC)", sealNanos, "ns/op")
        table.add("protocol", "open tick+echo (decode+verify)", openNanos, "ns/op")
        table.add("protocol", "seal+open tick+echo", sealNanos + openNanos, "ns/op",
                  goal: "< 5 us", met: sealNanos + openNanos < 5_000)
        table.add("protocol", "inbox receive tick (open+fresh+recipient+replay)", inboxNanos, "ns/op")

        // A coordinator's window, full, taking senders it has never heard:
        // each evicts the least recently heard one.
        var window = ReplayWindow()
        for sender in 0..<UInt64(window.maximumSenders) { _ = window.admit(sender: sender, sequence: 1) }
        let newSenderNanos = nanosPerOperation(iterations) { i in
            if window.admit(sender: (1 << 32) + UInt64(i), sequence: 1) { sink &+= 1 }
        }
        table.add("protocol", "replay window: new sender when 16,384 are tracked", newSenderNanos, "ns/op",
                  goal: "< 1 us", met: newSenderNanos < 1_000)

        let megabyte = [UInt8](repeating: 0x61, count: 1 << 20)
        let rounds = 64
        let shaNanos = nanosPerOperation(rounds) { _ in
            var hasher = SHA256()
            hasher.update(megabyte)
            sink &+= Int(hasher.finalize()[0])
        }
        table.add("protocol", "SHA-256 throughput", Double(1 << 20) / shaNanos * 1e9 / 1e6, "MB/s")
        if sink == 42 { print("") }  // keeps the measured work observable
    }

    /// Runs `body` once to warm up, then `count` times, and returns the mean.
    private static func nanosPerOperation(_ count: Int, _ body: (Int) -> Void) -> Double {
        body(0)
        let clock = MonotonicClock()
        let start = clock.nowNanos()
        for i in 0..<count { body(i) }
        return Double(clock.nowNanos() - start) / Double(count)
    }
}
