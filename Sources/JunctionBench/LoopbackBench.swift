import Posix
import Runtime
import Synchronization

/// Benchmarks of the loopback area: which receive time is closer to the
/// truth for the agent's clock samples.
///
/// A sender thread sends 2,000 datagrams 1 ms apart over loopback, each
/// carrying its `CLOCK_MONOTONIC` send time; the receiver computes the
/// one-way delay two ways: (a) the monotonic reading right after `recvmsg`,
/// (b) the kernel's `SO_TIMESTAMPNS` stamp moved onto the monotonic clock
/// (`ReceiveTime.monotonicNanos`, what the agent uses). The smaller and
/// steadier delay is the better receive time: its jitter lands in every
/// clock sample.
enum LoopbackBench {
    static let count = 2_000

    static func run(into table: inout BenchTable) {
        guard let (reading, stamp) = measure() else {
            table.add("loopback", "receive stamps", 0, "n/a", goal: "sockets unavailable", met: false)
            return
        }
        for (name, values) in [("after recvmsg", reading), ("kernel stamp", stamp)] {
            let sorted = values.sorted()
            let p50 = Double(sorted[sorted.count / 2]) / 1000
            let p99 = Double(sorted[sorted.count * 99 / 100]) / 1000
            table.add("loopback", "\(name) delay p50", p50, "us")
            table.add("loopback", "\(name) delay p99", p99, "us")
            table.add("loopback", "\(name) delay max", Double(sorted.last!) / 1000, "us")
        }
    }

    /// One-way delays in ns: (after-recvmsg reading, converted kernel stamp).
    static func measure() -> ([Int64], [Int64])? {
        guard let receiver = try? UDPSocket(binding: .loopbackIPv4(port: 0)), let sender = try? UDPSocket(binding: .loopbackIPv4(port: 0)),
              let target = try? receiver.localAddress() else { return nil }
        let clock = MonotonicClock()
        let results = Mutex<([Int64], [Int64])>(([], []))
        guard let thread = try? OSThread({
            var reading: [Int64] = [], stamp: [Int64] = []
            while reading.count < count {
                guard let d = try? receiver.receive(timeoutNanos: 1_000_000_000) else { break }
                guard d.bytes.count == 8 else { continue }
                let sent = d.bytes.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
                reading.append(d.monotonicNanos - sent)
                stamp.append(ReceiveTime.monotonicNanos(of: d, clock: clock) - sent)
            }
            results.withLock { $0 = (reading, stamp) }
        }) else { return nil }
        var next = clock.nowNanos() + 10_000_000
        for _ in 0..<count {
            clock.sleep(untilNanos: next)
            next += 1_000_000
            var now = clock.nowNanos()
            let bytes = withUnsafeBytes(of: &now) { Array($0) }
            try? sender.send(bytes, to: target)
        }
        thread.join()
        let (reading, stamp) = results.withLock { $0 }
        return reading.isEmpty ? nil : (reading, stamp)
    }
}
