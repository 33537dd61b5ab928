#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
@testable import Posix

/// The timing thread logs; a full stdout pipe (a stalled log collector) must
/// not hold it. These tests stall the output on purpose: a pipe nobody reads.
@Suite struct LogWriterTests {
    /// A pipe whose read end the test drains only when it chooses.
    final class StalledPipe {
        let read: Int32
        let write: Int32
        init() {
            var fds: [Int32] = [0, 0]
            precondition(pipe(&fds) == 0)
            read = fds[0]
            write = fds[1]
        }
        /// Reads everything written until the write end's lines stop coming
        /// (the writer flushed), as lines.
        func drain(until done: () -> Bool) -> [String] {
            _ = fcntl(read, F_SETFL, fcntl(read, F_GETFL) | O_NONBLOCK)
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = Glibc.read(read, &chunk, chunk.count)
                if n > 0 { bytes += chunk[..<n]; continue }
                if done() {
                    // One last read after the writer said it was done.
                    let m = Glibc.read(read, &chunk, chunk.count)
                    if m > 0 { bytes += chunk[..<m]; continue }
                    break
                }
                var pfd = pollfd(fd: read, events: Int16(POLLIN), revents: 0)
                _ = poll(&pfd, 1, 10)
            }
            return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        deinit { close(read); close(write) }
    }

    @Test func loggingReturnsWhileTheOutputIsStalled() {
        let output = StalledPipe()
        let logger = Logger(fd: output.write, format: .logfmt)
        let lines = 2_000  // about 200 KB: three times what a pipe holds
        let finished = DispatchSemaphore(value: 0)
        let started = MonotonicClock().nowNanos()
        let thread = try! OSThread(name: "test-logger") {
            for i in 0..<lines { logger.info("event", ["i": .int(Int64(i)), "pad": .string(String(repeating: "x", count: 60))]) }
            finished.signal()
        }
        // With a write(2) on the caller's thread this would wait for a reader
        // that only comes after it: the wait times out and the test fails.
        let returned = finished.wait(timeout: .now() + .seconds(5)) == .success
        let elapsedNanos = MonotonicClock().nowNanos() - started
        #expect(returned, "logging blocked on a stalled output")
        var flushed = false
        let read = output.drain { flushed = flushed || logger.flush(timeoutNanos: 1_000_000); return flushed }
        thread.join()
        #expect(read.count == lines, "every line arrives once the output drains")
        #expect(read.allSatisfy { $0.contains(" msg=event i=") }, "lines stay whole")
        #expect(elapsedNanos < 5_000_000_000)
    }

    @Test func linesBeyondTheBoundAreDroppedAndCounted() {
        let output = StalledPipe()
        let logger = Logger(fd: output.write, format: .json)
        let pad = String(repeating: "y", count: 1000)
        let lines = 3_000  // about 3 MB queued against a 1 MiB bound
        for i in 0..<lines { logger.info("event", ["i": .int(Int64(i)), "pad": .string(pad)]) }
        var flushed = false
        let read = output.drain { flushed = flushed || logger.flush(timeoutNanos: 1_000_000); return flushed }
        let events = read.filter { $0.contains("\"msg\":\"event\"") }
        let notices = read.filter { $0.contains("log lines dropped") }
        #expect(events.count < lines, "some lines were dropped")
        #expect(!notices.isEmpty, "the drop is reported")
        let counted = notices.compactMap { line -> Int? in
            guard let field = line.split(separator: ",").first(where: { $0.hasPrefix("\"count\":") }) else { return nil }
            return Int(field.dropFirst("\"count\":".count).prefix(while: \.isNumber))
        }.reduce(0, +)
        #expect(events.count + counted == lines, "every line is either written or counted as dropped")
    }
}
