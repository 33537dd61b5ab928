import JunctionCore
import Posix
import Testing
@testable import Runtime

private func event(_ n: Int) -> JunctionEvent {
    JunctionEvent(timeNanos: Int64(n), head: "main/north-south", code: .beginGreen, parameter: 1, ordinal: 0)
}

@Suite("Event log ring")
struct EventLogTests {
    @Test func numbersEventsAndReadsFromACursor() {
        var log = EventLog(capacity: 8)
        for n in 1...5 { log.append(event(n)) }
        #expect(log.events(since: 0, limit: 100).map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(log.events(since: 3, limit: 100).map(\.sequence) == [4, 5])
        #expect(log.events(since: 5, limit: 100).isEmpty, "a reader that has everything gets nothing")
        #expect(log.events(since: 1, limit: 2).map(\.sequence) == [2, 3], "limit caps the answer, oldest first")
        #expect(log.events(since: 0, limit: 0).isEmpty)
    }

    @Test func keepsOnlyTheNewestAndSaysHowManyAReaderLost() {
        var log = EventLog(capacity: 4)
        for n in 1...10 { log.append(event(n)) }
        #expect(log.count == 4)
        #expect(log.oldestSequence == 7)
        let read = log.events(since: 2, limit: 100)
        #expect(read.first?.code == .eventsLost)
        #expect(read.first?.parameter == 4, "events 3...6 were dropped before this reader got them")
        #expect(read.first?.sequence == 6, "a reader that resumes from the gap line does not see it again")
        #expect(read.dropFirst().map(\.sequence) == [7, 8, 9, 10])
        #expect(read.dropFirst().map(\.timeNanos) == [7, 8, 9, 10])
        #expect(log.events(since: 6, limit: 100).map(\.sequence) == [7, 8, 9, 10], "no gap line when nothing was lost")
        #expect(log.events(since: 0, limit: 100).first?.parameter == 6)
    }

    @Test func aFilteredCopyKeepsTheOriginalNumbers() {
        var copy = EventLog(capacity: 2)
        for n in [3, 9, 12] {
            var e = event(n)
            e.sequence = UInt64(n)
            copy.keep(e)
        }
        #expect(copy.recent(5).map(\.sequence) == [9, 12])
        #expect(copy.nextSequence == 13)
        #expect(copy.append(event(0)).sequence == 13, "new numbers continue after the kept ones")
    }

    @Test func aCursorFromAPreviousProcessReadsFromTheStart() {
        var log = EventLog(capacity: 4)
        for n in 1...3 { log.append(event(n)) }
        #expect(log.events(since: 500, limit: 100).map(\.sequence) == [1, 2, 3])
    }

    @Test func recentIsTheNewestInOrderAcrossTheWrap() {
        var log = EventLog(capacity: 3)
        #expect(log.recent(5).isEmpty)
        for n in 1...7 { log.append(event(n)) }
        #expect(log.recent(2).map(\.sequence) == [6, 7])
        #expect(log.recent(10).map(\.sequence) == [5, 6, 7])
    }

    @Test func jsonLineRoundTripsAndEscapes() {
        var e = JunctionEvent(timeNanos: -5, head: "ma\"in/n\ns", code: .stateChange, parameter: 4, ordinal: 12, note: "locked -> flash: \"bound\"\t</script>")
        e.sequence = 99
        let line = e.jsonLine
        #expect(!line.contains("\n"), "one event per line")
        #expect(line.hasPrefix("{\"seq\":99,\"time\":-5,\"head\":"))
        #expect(JunctionEvent(jsonLine: line) == e)
        let unknown = JunctionEvent(timeNanos: nil, code: EventCode(rawValue: 77))
        #expect(unknown.jsonLine.contains("\"time\":null"))
        #expect(unknown.jsonLine.contains("\"agent\":null"))
        #expect(unknown.code.name == "code-77")
        #expect(JunctionEvent(jsonLine: unknown.jsonLine) == unknown)
        #expect(JunctionEvent(jsonLine: "{\"seq\":-1,\"code\":1,\"param\":0,\"head\":\"-\"}") == nil)
        #expect(JunctionEvent(jsonLine: "{\"seq\":1,\"code\":70000,\"param\":0,\"head\":\"-\"}") == nil)
        #expect(JunctionEvent(jsonLine: "not json") == nil)
    }

    @Test func aspectsMapToIndianaCodesWithTheGroupNumber() {
        let green = JunctionEvent.aspect(.green, timeNanos: 1, head: "main/walk", group: 2, ordinal: 0)
        #expect(green.code.rawValue == 1 && green.parameter == 3)
        #expect(JunctionEvent.aspect(.amber, timeNanos: 1, head: "h", group: 0, ordinal: 0).code.rawValue == 8)
        #expect(JunctionEvent.aspect(.red, timeNanos: 1, head: "h", group: 0, ordinal: 0).code.rawValue == 10)
        #expect(JunctionEvent.aspect(.redAmber, timeNanos: 1, head: "h", group: 0, ordinal: 0).code.rawValue == 200)
        let flash = JunctionEvent.aspect(.flashingRed, timeNanos: 1, head: "h", group: 0, ordinal: 0)
        #expect(flash.code.rawValue == 173 && flash.parameter == 2)
        #expect(JunctionEvent.aspect(.flashingAmber, timeNanos: 1, head: "h", group: nil, ordinal: nil).parameter == 1)
        #expect(JunctionEvent.aspect(.off, timeNanos: 1, head: "h", group: nil, ordinal: nil).parameter == 0, "unknown group is 0")
    }
}

@Suite("Event recorder")
struct EventRecorderTests {
    @Test func appendsEveryEventToTheFileOnceAfterWhatWasThere() throws {
        let directory = try FileIO.makeTemporaryDirectory(prefix: "junction-events")
        defer { FileIO.remove(directory + "/events.jsonl"); FileIO.remove(directory) }
        let path = directory + "/events.jsonl"
        try FileIO.write(Array("{\"seq\":1,\"note\":\"an earlier process\"}\n".utf8), to: path)
        let recorder = try EventRecorder(capacity: 4096, path: path, flushIntervalNanos: 5_000_000)
        for n in 1...3000 { recorder.record(event(n)) }
        recorder.stop()
        recorder.stop()
        let lines = String(decoding: try FileIO.read(path), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3001, "appended after the earlier content, each event once")
        let parsed = lines.dropFirst().compactMap { JunctionEvent(jsonLine: String($0)) }
        #expect(parsed.map(\.sequence) == (1...3000).map { UInt64($0) })
        #expect(recorder.writeFailures == 0)
    }

    @Test func aWriterOvertakenByTheRingWritesTheGapLine() throws {
        let directory = try FileIO.makeTemporaryDirectory(prefix: "junction-events")
        defer { FileIO.remove(directory + "/events.jsonl"); FileIO.remove(directory) }
        let path = directory + "/events.jsonl"
        let recorder = try EventRecorder(capacity: 10, path: path, flushIntervalNanos: 3_600_000_000_000)
        for n in 1...50 { recorder.record(event(n)) }
        recorder.stop()
        let parsed = String(decoding: try FileIO.read(path), as: UTF8.self).split(separator: "\n").compactMap { JunctionEvent(jsonLine: String($0)) }
        let real = parsed.filter { $0.code != .eventsLost }
        let lost = parsed.filter { $0.code == .eventsLost }.map(\.parameter).reduce(0, +)
        #expect(real.suffix(10).map(\.sequence) == Array(41...50), "the ring's last ten are written on stop")
        #expect(Int64(real.count) + lost == 50, "every event is either written or counted as lost")
        #expect(zip(parsed, parsed.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
    }

    @Test func anUnwritablePathIsAnErrorAtStart() {
        #expect(throws: Errno.self) { try EventRecorder(capacity: 8, path: "/nonexistent-dir/events.jsonl") }
    }
}

@Suite("Viewer cap and offset history")
struct ViewerCapTests {
    @Test func newViewersBeyondTheCapWaitUntilOthersLeave() {
        var cap = ViewerCap(maximum: 2, windowNanos: 10)
        let answers = [("a", 0), ("b", 1), ("c", 2), ("a", 3)].map { cap.admit($0.0, nowNanos: $0.1) }
        #expect(answers == [true, true, false, true], "a third viewer is refused; one already watching keeps its place")
        #expect(cap.count(nowNanos: 3) == 2)
        let later = [("c", 12), ("b", 12)].map { cap.admit($0.0, nowNanos: $0.1) }
        #expect(later == [true, false], "b has not polled for the window: its place is c's now")
    }

    @Test func viewerIDsAreShortAndPlain() {
        #expect(ViewerCap.isValidID("k3j_x-9"))
        #expect(!ViewerCap.isValidID(""))
        #expect(!ViewerCap.isValidID(String(repeating: "a", count: 33)))
        #expect(!ViewerCap.isValidID("<script>"))
        #expect(!ViewerCap.isValidID("a b"))
    }

    @Test func historyIsBoundedInSamplesAndAgents() {
        var history = OffsetHistory(capacity: 3, maximumAgents: 2)
        for t in 1...5 {
            history.add(timeNanos: Int64(t), points: [9, 1, 5].map { OffsetHistory.Point(ordinal: $0, offsetNanos: Int64($0 * 10), errorBoundNanos: $0 == 5 ? nil : 7) })
        }
        #expect(history.samples.map(\.timeNanos) == [3, 4, 5])
        #expect(history.samples.allSatisfy { $0.points.map(\.ordinal) == [1, 5] }, "the lowest ordinals")
        #expect(history.json == #"{"samples":[[3,[[1,10,7],[5,50,null]]],[4,[[1,10,7],[5,50,null]]],[5,[[1,10,7],[5,50,null]]]]}"#)
    }
}
