#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Posix

@Suite struct WatchdogTests {
    @Test func petsAreRateLimitedAndACleanCloseWritesTheMagicV() throws {
        let directory = try FileIO.makeTemporaryDirectory(prefix: "watchdog")
        let path = directory + "/watchdog"
        defer { FileIO.remove(path); FileIO.remove(directory) }
        try FileIO.write([], to: path)
        let watchdog = try Watchdog(path: path, minimumIntervalNanos: 500_000_000)
        #expect(watchdog.pet(nowNanos: 0))
        #expect(watchdog.pet(nowNanos: 100_000_000))  // skipped: too soon
        #expect(watchdog.pet(nowNanos: 600_000_000))
        #expect(watchdog.pets == 2)
        watchdog.closeCleanly()
        watchdog.closeCleanly()
        #expect(!watchdog.pet(nowNanos: 2_000_000_000), "closed: no more pets")
        #expect(try FileIO.read(path) == Array("ppV".utf8))
    }

    @Test func aMissingDeviceIsAnError() {
        #expect(throws: Errno.self) { try Watchdog(path: "/nonexistent/watchdog") }
    }

    @Test func brokenPipeIsIgnored() {
        _ = signal(SIGPIPE, SIG_DFL)
        #expect(!FatalSignals.brokenPipeIgnored)
        FatalSignals.ignoreBrokenPipe()
        #expect(FatalSignals.brokenPipeIgnored)
    }
}
