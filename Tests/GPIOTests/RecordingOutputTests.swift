#if canImport(Glibc)
import Glibc
#endif
import JunctionCore
import Synchronization
import Testing
@testable import GPIO

/// A fresh path under /tmp, unique per test run.
private func temporaryPath(_ name: String) -> String {
    var template = Array("/tmp/junction-\(name)-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    if fd >= 0 { close(fd) }
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

private func readLines(_ path: String) -> [String] {
    guard let file = fopen(path, "r") else { return [] }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes += buffer[..<n]
    }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
}

/// A fake monotonic clock that advances 10 ns per reading.
private final class Ticker: Sendable {
    private let nanos = Mutex<Int64>(1_000)
    func next() -> Int64 { nanos.withLock { $0 += 10; return $0 } }
}

@Test func recordsAspectChangesNotFlashToggles() throws {
    let path = temporaryPath("rec")
    defer { unlink(path) }
    let ticker = Ticker()
    let output = try RecordingOutput(path: path, head: "north", shutdown: .red, now: { ticker.next() })
    try output.show(.green, at: TimebaseInstant(nanos: 0))
    try output.show(.green, at: TimebaseInstant(nanos: 1))
    try output.show(.flashingAmber, at: TimebaseInstant(nanos: 100_000_000))
    try output.show(.flashingAmber, at: TimebaseInstant(nanos: 600_000_000))
    output.close()
    try output.show(.green, at: TimebaseInstant(nanos: 0))
    #expect(readLines(path) == [
        #"{"t":1010,"head":"north","aspect":"green","tb":0}"#,
        #"{"t":1020,"head":"north","aspect":"flashing-amber","tb":100000000}"#,
        #"{"t":1030,"head":"north","aspect":"red"}"#,
    ])
}

@Test func recordingAppendsToAnExistingFile() throws {
    let path = temporaryPath("rec2")
    defer { unlink(path) }
    for head in ["a", "b"] {
        let output = try RecordingOutput(path: path, head: head, shutdown: .off)
        try output.show(.red, at: TimebaseInstant(nanos: 0))
        output.close()
    }
    let records = readLines(path).compactMap(RecordedAspect.init(jsonLine:))
    #expect(records.map(\.head) == ["a", "a", "b", "b"])
    #expect(records.map(\.aspect) == [.red, .off, .red, .off])
    #expect(records[0].monotonicNanos <= records[3].monotonicNanos)
}

@Test func unwritableRecordingPathNamesTheFile() {
    let error = caughtError(LightOutputError.self) {
        try RecordingOutput(path: "/nonexistent-dir/rec.jsonl", head: "n")
    }
    #expect(error?.description.contains("/nonexistent-dir/rec.jsonl") == true)
}

@Test func recordedLinesRoundTripWithEscapedHeadNames() {
    let record = RecordedAspect(monotonicNanos: -5, head: "we\"st\\1\n", aspect: .redAmber)
    #expect(record.jsonLine == #"{"t":-5,"head":"we\"st\\1\n","aspect":"red-amber"}"#)
    #expect(RecordedAspect(jsonLine: record.jsonLine) == record)
    #expect(RecordedAspect(jsonLine: #"{"t":1,"head":"x","aspect":"purple"}"#) == nil)
    #expect(RecordedAspect(jsonLine: #"{"t":1,"head":"x","aspect":"red"} trailing"#) == nil)
    let placed = RecordedAspect(monotonicNanos: 7, head: "x", aspect: .green, timebaseNanos: -1_764_000_000_123_456_789)
    #expect(placed.jsonLine == #"{"t":7,"head":"x","aspect":"green","tb":-1764000000123456789}"#)
    #expect(RecordedAspect(jsonLine: placed.jsonLine) == placed)
    #expect(RecordedAspect(jsonLine: #"{"t":1,"head":"x","aspect":"red","tb":}"#) == nil)
    #expect(RecordedAspect(jsonLine: #"{"t":1,"head":"x","aspect":"red","tb":5,"tb":6}"#) == nil)
}
