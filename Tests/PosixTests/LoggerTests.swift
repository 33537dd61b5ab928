#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
@testable import Posix

private let noon = Int64(1_714_564_800_250) * 1_000_000  // 2024-05-01T12:00:00.250Z

@Test func logfmtPutsTimestampLevelMessageThenFieldsInOrder() {
    let line = Logger.formatLine(.logfmt, level: .info, message: "agent started",
                                 fields: [("node", "pi-3"), ("port", 9000), ("locked", true), ("ratio", 0.5)],
                                 realtimeNanos: noon)
    #expect(line == "ts=2024-05-01T12:00:00.250Z level=info msg=\"agent started\" node=pi-3 port=9000 locked=true ratio=0.5\n")
}

@Test func logfmtQuotesAndEscapesOnlyWhenNeeded() {
    let fields: [(String, Logger.Value)] = [
        ("empty", ""), ("eq", "a=b"), ("quote", "say \"hi\""), ("nl", "two\nlines"), ("bare", "x/y:z"),
        ("bad key=", 1), ("", 2),
    ]
    let line = Logger.formatLine(.logfmt, level: .warn, message: "m", fields: fields, realtimeNanos: 0)
    #expect(line == #"ts=1970-01-01T00:00:00.000Z level=warn msg=m empty="" eq="a=b" quote="say \"hi\"" nl="two\nlines" bare=x/y:z bad_key_=1 _=2"# + "\n")
    #expect(line.filter { $0 == "\n" }.count == 1, "a value can never split the line")
}

@Test func jsonKeepsNumbersAndBooleansUnquotedAndEscapesStrings() {
    let line = Logger.formatLine(.json, level: .error, message: "tab\there", fields: [
        ("n", -3), ("ok", false), ("s", "q\"\\\u{1}"), ("nan", .double(.nan)), ("ünï", "✓"),
    ], realtimeNanos: noon)
    #expect(line == #"{"ts":"2024-05-01T12:00:00.250Z","level":"error","msg":"tab\there","n":-3,"ok":false,"s":"q\"\\\u0001","nan":"nan","ünï":"✓"}"# + "\n")
}

@Test func timestampsAreUTCCalendarDates() {
    #expect(Logger.timestamp(realtimeNanos: 0) == "1970-01-01T00:00:00.000Z")
    #expect(Logger.timestamp(realtimeNanos: 951_782_400 * 1_000_000_000) == "2000-02-29T00:00:00.000Z")
    #expect(Logger.timestamp(realtimeNanos: -1_000_000) == "1969-12-31T23:59:59.999Z")
    #expect(Logger.timestamp(realtimeNanos: 4_102_444_799_999_999_999) == "2099-12-31T23:59:59.999Z")
}

@Test func levelsParseAndOrder() {
    #expect(Logger.Level(name: "WARNING") == .warn)
    #expect(Logger.Level(name: "verbose") == nil)
    #expect(Logger.Level.debug < .info && Logger.Level.warn < .error)
}

/// A temporary file, removed when the test ends.
private func withTemporaryFile(_ body: (Int32) throws -> Void) rethrows -> [String] {
    var template = Array("/tmp/junction-log-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    unlink(template)
    defer { close(fd) }
    try body(fd)
    let size = lseek(fd, 0, SEEK_END)
    var bytes = [UInt8](repeating: 0, count: Int(size))
    _ = pread(fd, &bytes, bytes.count, 0)
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

@Test func minimumLevelDropsLowerEventsAndChildrenAddFields() {
    let lines = withTemporaryFile { fd in
        let logger = Logger(fd: fd, format: .logfmt, minimumLevel: .info, fields: ["node": "a"])
        logger.debug("hidden")
        logger.with(["head": "north"]).warn("shown", ["k": 1])
        #expect(logger.flush())
    }
    #expect(lines.count == 2 && lines[1].isEmpty)
    #expect(lines[0].hasSuffix(" level=warn msg=shown node=a head=north k=1"))
}

@Test func concurrentLoggersNeverInterleaveLines() {
    let threads = 8, perThread = 200
    let payload = String(repeating: "x", count: 300)
    let lines = withTemporaryFile { fd in
        let logger = Logger(fd: fd, format: .json)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let child = logger.with(["thread": .int(Int64(t))])
            for i in 0..<perThread { child.info("event", ["i": .int(Int64(i)), "pad": .string(payload)]) }
        }
        #expect(logger.flush())
    }.filter { !$0.isEmpty }
    #expect(lines.count == threads * perThread)
    #expect(lines.allSatisfy { $0.hasPrefix("{\"ts\":") && $0.hasSuffix("\"pad\":\"\(payload)\"}") })
}
