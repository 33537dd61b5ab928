import Coordinator
import Posix
import Synchronization

/// The coordinator's second sending thread: while the deciding thread sends
/// the first run of a large round (`SendSplit`), it sends the second, each
/// datagram sealed (a tick stamped) as it leaves, as the first thread's are.
///
/// Work is handed over by two semaphores. The job's lock is held only to
/// store or take a job, never while sealing or sending, so the deciding
/// thread never waits on slow work behind it. One round at a time: a
/// second caller that finds the helper busy sends its round alone.
final class HelperSender: Sendable {
    typealias Transmit = @Sendable (ArraySlice<CoordinatorSend<SocketAddress>>) -> UInt64

    private struct Job {
        var sends: [CoordinatorSend<SocketAddress>] = []
        var range: Range<Int> = 0..<0
        var pending = false
        var failures: UInt64 = 0
        var stopping = false
    }

    private let job = Mutex(Job())
    private let ready = Semaphore()
    private let done = Semaphore()
    private let busy = Atomic<Bool>(false)
    private let thread = Mutex<OSThread?>(nil)
    /// Seals and sends a run; returns how many failed.
    private let transmit: Transmit

    /// Starts the helper thread.
    init(transmit: @escaping Transmit) throws(Errno) {
        self.transmit = transmit
        let started = try OSThread(name: "junction-send") { [self] in serve() }
        thread.withLock { $0 = started }
    }

    /// Sends `sends` (its runs on both threads when it is large enough) and
    /// returns how many failed.
    func send(_ sends: [CoordinatorSend<SocketAddress>]) -> UInt64 {
        let runs = SendSplit.runs(count: sends.count)
        guard runs.count == 2, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return transmit(sends[...])
        }
        defer { busy.store(false, ordering: .releasing) }
        let handed = job.withLock { j -> Bool in
            guard !j.stopping else { return false }
            j = Job(sends: sends, range: runs[1], pending: true)
            return true
        }
        guard handed else { return transmit(sends[...]) }
        ready.post()
        var failures = transmit(sends[runs[0]])
        done.wait()
        failures += job.withLock { j in
            defer { j.sends = [] }
            return j.failures
        }
        return failures
    }

    /// Lets a round in progress finish, then ends the thread. Idempotent;
    /// later rounds are sent by their caller alone.
    func stop() {
        job.withLock { $0.stopping = true }
        ready.post()
        let ending = thread.withLock { t in defer { t = nil }; return t }
        ending?.join()
    }

    private func serve() {
        while true {
            ready.wait()
            let (sends, range, pending, stopping) = job.withLock { ($0.sends, $0.range, $0.pending, $0.stopping) }
            if pending {
                let failures = transmit(sends[range])
                job.withLock { j in
                    j.failures = failures
                    j.pending = false
                }
                done.post()
            }
            if stopping { return }
        }
    }
}
