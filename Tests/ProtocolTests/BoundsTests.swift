import JunctionCore
import Testing
@testable import Protocol

/// Values beyond the wire limits are refused with a reason when decoded and
/// with a message when sealed; nothing traps.
@Suite struct BoundsTests {
    /// An insecure datagram with a hand-written body, to reach body checks
    /// that a well-behaved encoder never produces.
    static func datagram(_ type: Wire.MessageType, recipient: UInt64 = 0, body: (inout WireWriter) -> Void) -> [UInt8] {
        var writer = WireWriter(capacity: 64)
        writer.u32(Wire.magic)
        writer.u8(Wire.version)
        writer.u8(type.rawValue)
        writer.u8(0)
        writer.u16(0)
        writer.u64(1)
        writer.u64(1)
        writer.u64(recipient)
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
        #expect(Self.open(Self.helloBody(nameBytes: [0x80])) == .failure(.badField))
    }

    /// Names are read by a fast path for ASCII and the validator otherwise:
    /// both give back exactly the name sent.
    @Test(arguments: ["pi-worker-3", "", "Kreuzung Süd", "交差点", "a\u{0}b"])
    func namesComeBackExactly(board: String) throws {
        var report = Fixtures.fullReport
        report.board = board
        report.head = HeadReport(junction: board, group: "g", aspect: .red)
        let sealed = try Fixtures.codec.seal(.report(report), sender: 1, sequence: 1)
        guard case let .success(envelope) = Fixtures.codec.open(sealed), case let .report(back) = envelope.message else {
            Issue.record("the report did not open")
            return
        }
        #expect(back.board == board)
        #expect(back.board.utf8.elementsEqual(board.utf8))
        #expect(back.head?.junction == board)
    }

    @Test func badEnumsAndPresenceFlagsAreRefused() throws {
        var tick = try Fixtures.insecureCodec.seal(.tick(Fixtures.tickWithoutEcho), sender: 1, sequence: 1)
        tick[tick.count - 1] = 4  // an undefined bit of the flags byte (bits 0 and 1 are defined)
        #expect(Self.open(tick) == .failure(.badField))
        tick[tick.count - 1] = 1  // says an echo follows, but none does
        #expect(Self.open(tick) == .failure(.badLength))
        tick[tick.count - 1] = 0
        tick[tick.count - 2] = 3  // command: only run, flash and stop exist
        #expect(Self.open(tick) == .failure(.badField))
        tick[tick.count - 2] = TickCommand.stop.rawValue
        #expect(Self.open(tick).map(\.sequence) == .success(1))
    }

    /// The tick's fields at fixed offsets (no echo): plan at 24, pending at
    /// 40, cycle position at 56, command at 64, flags at 65.
    static func tickBody(plan: (UInt64, Int64), pending: (UInt64, Int64), flags: UInt8) -> [UInt8] {
        datagram(.tick, recipient: 5) { w in
            w.u64(1); w.u64(1); w.i64(0)
            w.u64(plan.0); w.i64(plan.1)
            w.u64(pending.0); w.i64(pending.1)
            w.i64(0); w.u8(0); w.u8(flags)
        }
    }

    /// "No plan" has one form, (0, 0); a commit needs a pending plan.
    @Test func planIdentitiesMustBeCanonical() {
        #expect(Self.open(Self.tickBody(plan: (7, 9), pending: (8, 10), flags: 2)).map(\.sequence) == .success(1))
        #expect(Self.open(Self.tickBody(plan: (0, 0), pending: (0, 0), flags: 0)).map(\.sequence) == .success(1))
        #expect(Self.open(Self.tickBody(plan: (0, 9), pending: (0, 0), flags: 0)) == .failure(.badField), "plan anchor without id")
        #expect(Self.open(Self.tickBody(plan: (7, 9), pending: (0, -1), flags: 0)) == .failure(.badField), "pending anchor without id")
        #expect(Self.open(Self.tickBody(plan: (7, 9), pending: (0, 0), flags: 2)) == .failure(.badField), "commit without pending")
        // Id with anchor 0 is a plan (the epoch is a legal anchor).
        #expect(Self.open(Self.tickBody(plan: (7, 0), pending: (8, 0), flags: 2)).map(\.sequence) == .success(1))

        var tick = Fixtures.tickWithEcho
        tick.pendingCommitted = true
        #expect(throws: MessageError.commitWithoutPending) { try Fixtures.codec.seal(.tick(tick), sender: 1, sequence: 1) }
        tick.pendingCommitted = false
        tick.plan = PlanRef(id: .none, anchor: TimebaseInstant(nanos: 5))
        #expect(throws: MessageError.anchorWithoutPlan(field: "tick's governing")) {
            try Fixtures.codec.seal(.tick(tick), sender: 1, sequence: 1)
        }
        var report = Fixtures.bareReport
        report.pending = PlanRef(id: .none, anchor: TimebaseInstant(nanos: -1))
        #expect(throws: MessageError.anchorWithoutPlan(field: "report's pending")) {
            try Fixtures.codec.seal(.report(report), sender: 1, sequence: 1)
        }
    }

    /// The report's monitor byte has three defined bits (tripped, out of
    /// plan, stopped); its plan fields are canonical as the tick's.
    @Test func reportMonitorAndPlanFieldsAreChecked() throws {
        let datagram = try Fixtures.insecureCodec.seal(.report(Fixtures.bareReport), sender: 1, sequence: 1)
        // Bare report tail: ... plan(16) pending(16) nonce(8) monitor(1) hasHead(1) dropCount(1).
        let monitor = datagram.count - 3
        let pendingAnchorLastByte = monitor - 8 - 1
        for (value, expected) in [(UInt8(1), DropReason?.none), (2, nil), (3, nil), (4, nil), (7, nil),
                                  (8, .badField), (0x0c, .badField), (0x80, .badField)] {
            var changed = datagram
            changed[monitor] = value
            let opened = Self.open(changed)
            if let expected {
                #expect(opened == .failure(expected), "monitor byte \(value)")
            } else {
                guard case let .success(envelope) = opened, case let .report(report) = envelope.message else {
                    Issue.record("monitor byte \(value) should decode")
                    continue
                }
                #expect(report.monitorTripped == (value & 1 != 0) && report.outOfPlan == (value & 2 != 0)
                        && report.stopped == (value & 4 != 0), "monitor byte \(value)")
            }
        }
        var anchorOnly = datagram
        anchorOnly[pendingAnchorLastByte] = 1  // pending id 0 with anchor 1
        #expect(Self.open(anchorOnly) == .failure(.badField))
        anchorOnly[pendingAnchorLastByte - 8] = 1  // pending id 1 with anchor 1
        #expect(Self.open(anchorOnly).map(\.sequence) == .success(1))
    }

    /// A solicit's nonce 0 would read as "no solicit" in the answer.
    @Test func zeroSolicitNoncesAreRefused() {
        let zero = Self.datagram(.solicit) { w in w.u64(1); w.u64(0); w.u64(0); w.u64(0) }
        #expect(Self.open(zero) == .failure(.badField))
        let one = Self.datagram(.solicit) { w in w.u64(1); w.u64(0); w.u64(1); w.u64(0) }
        #expect(Self.open(one).map(\.sequence) == .success(1))
        // A version-2 solicit (no wanted plan) is too short for version 3.
        let short = Self.datagram(.solicit) { w in w.u64(1); w.u64(0); w.u64(1) }
        #expect(Self.open(short) == .failure(.badLength))
        #expect(throws: MessageError.zeroNonce) {
            try Fixtures.codec.seal(.solicit(Solicit(coordinatorID: 1, term: 0, nonce: 0)), sender: 1, sequence: 1)
        }
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
        for old in [UInt8(1), 2] {
            var earlier = good
            earlier[4] = old
            #expect(Self.open(earlier) == .failure(.unsupportedVersion), "version \(old) is not spoken any more")
        }
        var versionFour = good
        versionFour[4] = 4
        #expect(Self.open(versionFour) == .failure(.unsupportedVersion))
        var unknownType = good
        unknownType[5] = 0
        #expect(Self.open(unknownType) == .failure(.unknownType))
        unknownType[5] = 7
        #expect(Self.open(unknownType) == .failure(.unknownType))
        #expect(Self.open([UInt8](repeating: 0, count: 1201)) == .failure(.oversize))
        #expect(Self.open([]) == .failure(.tooShort))
        #expect(Self.open(Array("GET / HTTP/1.1\r\nHost: junction.local\r\n\r\n".utf8)) == .failure(.badMagic))
        // A body with bytes left over after the message, consistently framed.
        let padded = Self.datagram(.goodbye) { w in
            w.u64(1); w.u64(2); w.i64(3); w.u8(0)
        }
        #expect(Self.open(padded) == .failure(.trailingBytes))
    }
}
