#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import Posix

// No test sends a real signal. On Linux a dispatch signal source reads a
// signalfd, which only sees signals every thread blocks; the test runner's
// threads exist before any test can block anything, so a real signal would be
// delivered to one of them and dropped (SIG_IGN) most of the time. The real
// path is checked in the production order (watcher first, then threads) by a
// standalone program; see SignalWatcher's documentation.

@Test func triggerRunsTheHandlerAndFeedsTheStream() async {
    let seen = Mutex<[SignalWatcher.Signal]>([])
    let watcher = SignalWatcher([.terminate, .interrupt]) { signal in seen.withLock { $0.append(signal) } }
    watcher.trigger(.terminate)
    watcher.trigger(.interrupt)
    var iterator = watcher.events.makeAsyncIterator()
    #expect(await iterator.next() == .terminate)
    #expect(await iterator.next() == .interrupt)
    #expect(seen.withLock { $0 } == [.terminate, .interrupt])
    watcher.cancel()
}

@Test func cancelFinishesTheStream() async {
    let watcher = SignalWatcher([.interrupt])
    watcher.trigger(.interrupt)
    watcher.cancel()
    watcher.cancel()
    var received: [SignalWatcher.Signal] = []
    for await signal in watcher.events { received.append(signal) }
    #expect(received == [.interrupt], "buffered events survive cancel, then the stream ends")
}

@Test func signalNamesAndNumbers() {
    #expect(SignalWatcher.Signal.terminate.number == SIGTERM)
    #expect(SignalWatcher.Signal.hangup.description == "SIGHUP")
}
