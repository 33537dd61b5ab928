import JunctionCore
import Posix
import Protocol
import Synchronization
import Testing
@testable import Coordinator
@testable import Runtime

/// The coordinator's second sending thread: a large round leaves on two
/// threads, every datagram once; a small one on the caller's alone; after
/// `stop`, every round is still sent, by its caller.
@Suite struct HelperSenderTests {
    /// What a transmit saw: the recipients of each run and the thread that sent it.
    final class Log: Sendable {
        let runs = Mutex<[(recipients: [UInt64], thread: String)]>([])
        func transmit(_ run: ArraySlice<CoordinatorSend<SocketAddress>>) -> UInt64 {
            let recipients = run.map(\.recipient)
            runs.withLock { $0.append((recipients, OSThread.currentThreadName())) }
            // Every tenth datagram fails, so the failures are counted across threads.
            return UInt64(recipients.filter { $0 % 10 == 0 }.count)
        }
    }

    static func round(_ count: Int) -> [CoordinatorSend<SocketAddress>] {
        (0..<count).map { i in
            CoordinatorSend(to: .loopbackIPv4(port: 9), message: .goodbye(Goodbye(coordinatorID: 1, term: 1, sentAt: TimebaseInstant(nanos: 0))),
                            sender: 1, sequence: UInt64(i + 1), recipient: UInt64(i), codec: DatagramCodec(key: nil),
                            offsetNanos: 0, cycleNanos: 0)
        }
    }

    @Test func aLargeRoundLeavesOnTwoThreadsEveryDatagramOnce() throws {
        let log = Log()
        let helper = try HelperSender { log.transmit($0) }
        defer { helper.stop() }
        let count = SendSplit.twoThreadsFrom * 3 + 1
        for _ in 0..<5 {
            log.runs.withLock { $0 = [] }
            let failures = helper.send(Self.round(count))
            let runs = log.runs.withLock { $0 }
            #expect(runs.count == 2)
            #expect(Set(runs.map(\.thread)).count == 2, "both runs were sent by one thread: \(runs.map(\.thread))")
            #expect(runs.contains { $0.thread == "junction-send" })
            #expect(runs.flatMap(\.recipients).sorted() == (0..<UInt64(count)).map { $0 })
            #expect(failures == UInt64((0..<count).filter { $0 % 10 == 0 }.count))
        }
    }

    @Test func aSmallRoundLeavesOnTheCallersThreadAlone() throws {
        let log = Log()
        let helper = try HelperSender { log.transmit($0) }
        defer { helper.stop() }
        _ = helper.send(Self.round(SendSplit.twoThreadsFrom - 1))
        let runs = log.runs.withLock { $0 }
        #expect(runs.count == 1)
        #expect(runs.first?.recipients.count == SendSplit.twoThreadsFrom - 1)
        #expect(runs.first?.thread != "junction-send")
    }

    @Test func afterStopEveryRoundIsStillSentByItsCaller() throws {
        let log = Log()
        let helper = try HelperSender { log.transmit($0) }
        helper.stop()
        helper.stop()  // idempotent
        _ = helper.send(Self.round(SendSplit.twoThreadsFrom * 2))
        let runs = log.runs.withLock { $0 }
        #expect(runs.count == 1)
        #expect(runs.first?.recipients.count == SendSplit.twoThreadsFrom * 2)
    }
}
