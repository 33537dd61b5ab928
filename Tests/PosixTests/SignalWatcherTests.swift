#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import Testing
@testable import Posix

// Only `realSignalReachesTheHandler` uses SIGHUP, and only it sends a real
// signal: tests run in parallel, and another watcher's `cancel()` restores the
// default action of the signals it watched.

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

@Test func realSignalReachesTheHandler() {
    let delivered = DispatchSemaphore(value: 0)
    let watcher = SignalWatcher([.hangup]) { signal in
        if signal == .hangup { delivered.signal() }
    }
    defer { watcher.cancel() }
    #expect(kill(getpid(), SIGHUP) == 0)
    // A bounded wait for delivery, not a sleep: it returns as soon as the
    // handler runs and fails if the signal is lost.
    #expect(delivered.wait(timeout: .now() + 5) == .success)
}

@Test func signalNamesAndNumbers() {
    #expect(SignalWatcher.Signal.terminate.number == SIGTERM)
    #expect(SignalWatcher.Signal.hangup.description == "SIGHUP")
}
