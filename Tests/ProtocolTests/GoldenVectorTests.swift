import FoundationEssentials
import Testing
@testable import Protocol

/// A fixed message sealed with `Fixtures.key` (sender 0x0102030405060708,
/// sequence 42, the recipient given) and its exact bytes. The hex was
/// produced by `scripts/golden-vectors`, an independent Python encoder
/// written from docs/PROTOCOL.md, and the same vectors are printed in that
/// document.
struct GoldenVector: Sendable, CustomTestStringConvertible {
    var name: String
    var message: Message
    var recipient: UInt64
    var keyed: Bool
    var hex: String
    var testDescription: String { name }
}

@Suite struct GoldenVectorTests {
    static let vectors: [GoldenVector] = [
        GoldenVector(name: "tick-echo", message: .tick(Fixtures.tickWithEcho), recipient: Fixtures.agentInstance, keyed: true,
                     hex: "4a4e435403010100520102030405060708000000000000002aa6e7000000000007c00d1a7000000001000000000000000317979cfe3d85cd15112233445566778817979c156184f0000000000000000000000000000000000000000002dfd1c0400001000000e5f4c8f36817979cfe3c1fe1002e0cf3cce961bac742c444e5d4a386a8"),
        GoldenVector(name: "tick", message: .tick(Fixtures.tickWithoutEcho), recipient: Fixtures.agentInstance, keyed: true,
                     hex: "4a4e435403010100420102030405060708000000000000002aa6e7000000000007c00d1a70000000010000000000000003fffffffffffffffb00000000000000000000000000000000ffffffffffffffff7fffffffffffffff000000000000000000007e18e961975eda9f0f62777f666f4a67"),
        GoldenVector(name: "tick-commit-stop", message: .tick(Fixtures.tickCommittedStop), recipient: Fixtures.agentInstance, keyed: true,
                     hex: "4a4e435403010100420102030405060708000000000000002aa6e7000000000007c00d1a7000000001000000000000000417979d0bb73bc400112233445566778817979c156184f000ebf7465d1ed9c01d17979d0c2e7158000000000a7a3582000202e0705f1873ca91b1bd94e069bdf10edc"),
        GoldenVector(name: "plan", message: .plan(Fixtures.planChunk), recipient: Fixtures.agentInstance, keyed: true,
                     hex: "4a4e435403020100400102030405060708000000000000002aa6e7000000000007ebf7465d1ed9c01d17979d0c2e715800000000010000002600266a756e6374696f6e2064656d6f0a70686173652041203330730a70686173652042203235730aab1081956b2294ef7d51126caa5f82f2"),
        GoldenVector(name: "report", message: .report(Fixtures.fullReport), recipient: Fixtures.coordinatorID, keyed: true,
                     hex: "4a4e4354030301009a0102030405060708000000000000002ac00d1a700000000100000002a6e70000000000070a70692d6e6f7274682d3202ffffffffffed2979000000000003d090000000e5f4c8f3680117979cfe3c109ec0c00d1a70000000010000000000000003112233445566778817979c156184f000ebf7465d1ed9c01d17979d0c2e7158005eed00000000000103010c6d61696e2d616e642d357468056e6f72746803020900000000000000030c00000000000000016de1bd1566d8a167036d0b322e7e57d0"),
        GoldenVector(name: "report-bare", message: .report(Fixtures.bareReport), recipient: 0, keyed: true,
                     hex: "4a4e435403030100620102030405060708000000000000002a0000000000000000000000000000000000000001000000000000000000007fffffffffffffff0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000804c7df0083d1131beb352b3ec861dee"),
        GoldenVector(name: "report-stopped", message: .report(Fixtures.stoppedReport), recipient: Fixtures.coordinatorID, keyed: true,
                     hex: "4a4e435403030100880102030405060708000000000000002ac00d1a700000000100000002a6e70000000000070a70692d6e6f7274682d3202ffffffffffed2979000000000003d090000000e5f4ca28000117979cfe40c61080c00d1a70000000010000000000000003112233445566778817979c156184f00000000000000000000000000000000000000000000000000004010c6d61696e2d616e642d357468056e6f7274680100fa13f7e7bd58abd9f977a8d2758986f2"),
        GoldenVector(name: "hello", message: .hello(Fixtures.hello), recipient: 0, keyed: true,
                     hex: "4a4e435403040100170102030405060708000000000000002a000000000000000000000002a6e70000000000070a70692d6e6f7274682d32713df8570e37ebfb48b09addc5ab0307"),
        GoldenVector(name: "goodbye", message: .goodbye(Fixtures.goodbye), recipient: Fixtures.agentInstance, keyed: true,
                     hex: "4a4e435403050100180102030405060708000000000000002aa6e7000000000007c00d1a7000000001000000000000000317979d157ea0e800e558b2f0f2f367c4d7b16db9f00ca255"),
        GoldenVector(name: "solicit", message: .solicit(Fixtures.solicit), recipient: 0, keyed: true,
                     hex: "4a4e435403060100200102030405060708000000000000002a0000000000000000c00d1a700000000200000000000000005eed00000000000211223344556677885146f5421e73a94451e84d51932bad72"),
        GoldenVector(name: "insecure-tick", message: .tick(Fixtures.tickWithoutEcho), recipient: Fixtures.agentInstance, keyed: false,
                     hex: "4a4e435403010000420102030405060708000000000000002aa6e7000000000007c00d1a70000000010000000000000003fffffffffffffffb00000000000000000000000000000000ffffffffffffffff7fffffffffffffff00000000000000000000"),
    ]

    @Test(arguments: vectors)
    func encodesToTheGoldenBytes(vector: GoldenVector) throws {
        let codec = vector.keyed ? Fixtures.codec : Fixtures.insecureCodec
        let sealed = try codec.seal(vector.message, sender: Fixtures.sender, sequence: Fixtures.sequence, recipient: vector.recipient)
        #expect(Hex.encode(sealed) == vector.hex)
    }

    @Test(arguments: vectors)
    func decodesFromTheGoldenBytes(vector: GoldenVector) {
        let codec = vector.keyed ? Fixtures.codec : Fixtures.insecureCodec
        let opened = codec.open(Hex.decode(vector.hex))
        #expect(opened == .success(Envelope(
            senderID: Fixtures.sender, sequence: Fixtures.sequence, recipientID: vector.recipient, message: vector.message)))
    }

    @Test func theFixturePlanHasTheDocumentedID() {
        #expect(Fixtures.planChunk.planID == PlanID(rawValue: 0xebf7_465d_1ed9_c01d))
        #expect(Fixtures.announcedPlan == PlanRef(id: Fixtures.planChunk.planID, anchor: Fixtures.planChunk.activation))
    }

    /// Every vector is a version-3 datagram whose recipient sits at bytes
    /// 25..<33, as the document's header table says.
    @Test(arguments: vectors)
    func headerCarriesVersionAndRecipient(vector: GoldenVector) {
        let bytes = Hex.decode(vector.hex)
        #expect(bytes[4] == 3)
        #expect(bytes[25..<33].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == vector.recipient)
    }

    /// The fuzzer's seeds (`Fuzz/corpus`, written by `scripts/golden-vectors
    /// --corpus`) are this version's datagrams. Seeds of an older version are
    /// all refused at the version byte, so the fuzzer would start from
    /// nothing that reaches a message decoder; after protocol 3 they stayed
    /// at version 2 until this test.
    @Test func fuzzSeedsAreTheGoldenVectorsOfThisVersion() throws {
        for vector in Self.vectors where vector.keyed {
            for keyed in [true, false] {
                let name = "\(vector.name).\(keyed ? "keyed" : "insecure")"
                let url = Self.repositoryRoot.appending(path: "Fuzz/corpus/\(name)")
                let seed = [UInt8](try Data(contentsOf: url))
                let codec = keyed ? Fixtures.codec : Fixtures.insecureCodec
                #expect(codec.open(seed) == .success(Envelope(
                    senderID: Fixtures.sender, sequence: Fixtures.sequence, recipientID: vector.recipient, message: vector.message)),
                        "Fuzz/corpus/\(name) is not the \(vector.name) vector of protocol \(Wire.version): run scripts/golden-vectors --corpus Fuzz/corpus")
            }
        }
    }

    static let repositoryRoot = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The document and the tests cannot drift apart: every vector tested
    /// here is printed in docs/PROTOCOL.md.
    @Test func protocolDocumentPrintsEveryVector() throws {
        let docURL = Self.repositoryRoot.appending(path: "docs/PROTOCOL.md")
        let document = String(decoding: try Data(contentsOf: docURL), as: UTF8.self)
        for vector in Self.vectors {
            #expect(document.contains(vector.hex), "docs/PROTOCOL.md lacks the \(vector.name) vector")
        }
    }
}
