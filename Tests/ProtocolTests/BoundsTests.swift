import JunctionCore
import Testing
@testable import Protocol

/// Values beyond the wire limits are refused with a reason when decoded and
/// with a message when sealed; nothing traps.
@Suite struct BoundsTests {
    /// An insecure datagram with a hand-written body, to reach body checks
    /// that a well-behaved encoder never produces.
    static func datagram(_ type: Wire.MessageType, body: (inout WireWriter) -> Void) -> [UInt8] {
        var writer = WireWriter(capacity: 64)
        writer.u32(Wire.magic)
        writer.u8(Wire.version)
        writer.u8(type.rawValue)
        writer.u8(0)
        writer.u16(0)
        writer.u64(1)
        writer.u64(1)
        body(&writer)
        writer.patchU16(UInt16(writer.bytes.count - Wire.headerByteCount), at: 7)
        return writer.bytes
    }

    static func open(_ datagram: [UInt8]) -> Result<Envelope, DropReason> { Fixtures.insecureCodec.open(datagram) }

    static func helloBody(nameBytes: [UInt8]) -> [UInt8] {
        datagram(.hello) { w in
            w.u32(1)
            w.u64(2)
            w.u8(UInt8(nameBytes.count))
            w.raw(nameBytes)
        }
    }

    @Test func namesLongerThan63BytesAreRefused() {
        let long = String(repeating: "b", count: 64)
        #expect(throws: MessageError.nameTooLong(field: "board", byteCount: 64, limit: 63)) {
            try Fixtures.codec.seal(.hello(Hello(ordinal: 0, instance: 0, board: long)), sender: 1, sequence: 1)
        }
        var report = Fixtures.fullReport
        report.head = HeadReport(junction: "j", group: String(repeating: "g", count: 100), aspect: .red)
        #expect(throws: MessageError.nameTooLong(field: "group", byteCount: 100, limit: 63)) {
            try Fixtures.codec.seal(.report(report), sender: 1, sequence: 1)
        }
        #expect(Self.open(Self.helloBody(nameBytes: Array(long.utf8))) == .failure(.nameTooLong))
        #expect(Self.open(Self.helloBody(nameBytes: Array(long.utf8.dropLast()))).map(\.sequence) == .success(1))
    }

    @Test func invalidUTF8IsRefused() {
        #expect(Self.open(Self.helloBody(nameBytes: [0x61, 0xff, 0x62])) == .failure(.badField))
        #expect(Self.open(Self.helloBody(nameBytes: [0xc3])) == .failure(.badField))
    }

    @Test func badEnumsAndPresenceFlagsAreRefused() throws {
        var tick = try Fixtures.insecureCodec.seal(.tick(Fixtures.tickWithoutEcho), sender: 1, sequence: 1)
        tick[tick.count - 1] = 4  // an undefined bit of the flags byte (bit 1 is flashCommanded)
        #expect(Self.open(tick) == .failure(.badField))
        tick[tick.count - 1] = 1  // says an echo follows, but none does
        #expect(Self.open(tick) == .failure(.badLength))
    }

    @Test func dropCountersMustBeCanonical() {
        func report(_ entries: [(UInt8, UInt64)], declaredCount: Int? = nil) -> [UInt8] {
            Self.datagram(.report) { w in
                var bare = WireWriter(capacity: 64)
                Fixtures.bareReport.encode(into: &bare)
                w.raw(Array(bare.bytes.dropLast()))  // all but the (empty) drop count
                w.u8(UInt8(declaredCount ?? entries.count))
                for (reason, count) in entries {
                    w.u8(reason)
                    w.u64(count)
                }
            }
        }
        #expect(Self.open(report([(9, 1), (12, 2)])).map(\.sequence) == .success(1))
        #expect(Self.open(report([(12, 2), (9, 1)])) == .failure(.badField), "out of order")
        #expect(Self.open(report([(9, 1), (9, 1)])) == .failure(.badField), "repeated")
        #expect(Self.open(report([(9, 0)])) == .failure(.badField), "zero count")
        #expect(Self.open(report([(200, 1)])) == .failure(.badField), "unknown reason")
        #expect(Self.open(report([(0, 1)])) == .failure(.badField), "reason 0")
        #expect(Self.open(report([], declaredCount: 255)) == .failure(.badField), "count beyond the reasons")
        #expect(Self.open(report([(9, 1)], declaredCount: 2)) == .failure(.badLength), "entries missing")
    }

    static func chunk(index: UInt16, count: UInt16, total: UInt32, payload: Int) -> [UInt8] {
        datagram(.planChunk) { w in
            w.u64(5)
            w.i64(0)
            w.u16(index)
            w.u16(count)
            w.u32(total)
            w.u16(UInt16(payload))
            w.raw([UInt8](repeating: 7, count: payload))
        }
    }

    @Test func planChunkNumbersMustFitTogether() {
        #expect(Self.open(Self.chunk(index: 0, count: 1, total: 10, payload: 10)).map(\.sequence) == .success(1))
        #expect(Self.open(Self.chunk(index: 1, count: 2, total: 1030, payload: 6)).map(\.sequence) == .success(1))
        #expect(Self.open(Self.chunk(index: 1, count: 1, total: 10, payload: 10)) == .failure(.badField), "index past count")
        #expect(Self.open(Self.chunk(index: 0, count: 2, total: 10, payload: 10)) == .failure(.badField), "count vs length")
        #expect(Self.open(Self.chunk(index: 0, count: 1, total: 10, payload: 9)) == .failure(.badField), "short payload")
        #expect(Self.open(Self.chunk(index: 0, count: 0, total: 0, payload: 0)) == .failure(.badField), "empty plan")
        #expect(Self.open(Self.chunk(index: 0, count: 1, total: 1100, payload: 1100)) == .failure(.badField), "payload over 1024")
    }

    @Test func oversizedPlansAreRefused() throws {
        let limit = UInt32(Wire.maximumPlanByteCount)
        #expect(Self.open(Self.chunk(index: 0, count: 257, total: limit + 1, payload: 1024)) == .failure(.planTooLarge))
        #expect(Self.open(Self.chunk(index: 0, count: 300, total: 1024, payload: 1024)) == .failure(.planTooLarge))
        #expect(Self.open(Self.chunk(index: 0, count: 256, total: limit, payload: 1024)).map(\.sequence) == .success(1))

        let biggest = [UInt8](repeating: 1, count: Wire.maximumPlanByteCount)
        let chunks = try PlanChunk.split(planBytes: biggest, id: PlanID(planBytes: biggest), activation: TimebaseInstant(nanos: 0))
        #expect(chunks.count == Wire.maximumPlanChunkCount)
        #expect(throws: MessageError.planTooLarge(byteCount: Wire.maximumPlanByteCount + 1, limit: Wire.maximumPlanByteCount)) {
            try PlanChunk.split(planBytes: biggest + [1], id: .none, activation: TimebaseInstant(nanos: 0))
        }
        #expect(throws: MessageError.emptyPlan) { try PlanChunk.split(planBytes: [], id: .none, activation: TimebaseInstant(nanos: 0)) }
    }

    @Test func handBuiltInconsistentChunksAreNotSealed() {
        let chunk = PlanChunk(planID: .none, activation: TimebaseInstant(nanos: 0), index: 3, count: 1, totalLength: 5, bytes: [1])
        #expect(throws: MessageError.self) { try Fixtures.codec.seal(.plan(chunk), sender: 1, sequence: 1) }
    }

    @Test func headerChecks() throws {
        let good = try Fixtures.insecureCodec.seal(.goodbye(Fixtures.goodbye), sender: 1, sequence: 1)
        var wrongVersion = good
        wrongVersion[4] = 2
        #expect(Self.open(wrongVersion) == .failure(.unsupportedVersion))
        var unknownType = good
        unknownType[5] = 0
        #expect(Self.open(unknownType) == .failure(.unknownType))
        #expect(Self.open([UInt8](repeating: 0, count: 1201)) == .failure(.oversize))
        #expect(Self.open([]) == .failure(.tooShort))
        #expect(Self.open(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) == .failure(.badMagic))
        // A body with bytes left over after the message, consistently framed.
        let padded = Self.datagram(.goodbye) { w in
            w.u64(1); w.u64(2); w.i64(3); w.u8(0)
        }
        #expect(Self.open(padded) == .failure(.trailingBytes))
    }
}
