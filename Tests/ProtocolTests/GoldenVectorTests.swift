import FoundationEssentials
import Testing
@testable import Protocol

/// A fixed message sealed with `Fixtures.key` (sender 0x0102030405060708,
/// sequence 42) and its exact bytes. The hex was produced by an independent
/// encoder written from docs/PROTOCOL.md, and the same vectors are printed in
/// that document.
struct GoldenVector: Sendable, CustomTestStringConvertible {
    var name: String
    var message: Message
    var keyed: Bool
    var hex: String
    var testDescription: String { name }
}

@Suite struct GoldenVectorTests {
    static let vectors: [GoldenVector] = [
        GoldenVector(name: "tick-echo", message: .tick(Fixtures.tickWithEcho), keyed: true,
                     hex: "4a4e435401010100490102030405060708000000000000002ac00d1a7000000001000000000000000317979cfe3d85cd151122334455667788000000000000000000000002dfd1c04001a6e7000000000007000000e5f4c8f36817979cfe3c1fe100befd0b1c2ee6b04629a2462c160982a7"),
        GoldenVector(name: "tick", message: .tick(Fixtures.tickWithoutEcho), keyed: true,
                     hex: "4a4e435401010100310102030405060708000000000000002ac00d1a70000000010000000000000003fffffffffffffffb0000000000000000ffffffffffffffff000000000000000000cf69cd12cff18aaa02ebb240ce18427f"),
        GoldenVector(name: "plan", message: .plan(Fixtures.planChunk), keyed: true,
                     hex: "4a4e435401020100400102030405060708000000000000002aebf7465d1ed9c01d17979d0c2e715800000000010000002600266a756e6374696f6e2064656d6f0a70686173652041203330730a70686173652042203235730a545c4745e08c73c29b367b50341eb95b"),
        GoldenVector(name: "report", message: .report(Fixtures.fullReport), keyed: true,
                     hex: "4a4e435401030100790102030405060708000000000000002a00000002a6e70000000000070a70692d6e6f7274682d32112233445566778802ffffffffffed2979000000000003d090000000e5f4c8f3680117979cfe3c109ec0c00d1a70000000010000000000000003010c6d61696e2d616e642d357468056e6f72746803020900000000000000030c0000000000000001a56821d49a1ded3defd0e60d45193719"),
        GoldenVector(name: "report-bare", message: .report(Fixtures.bareReport), keyed: true,
                     hex: "4a4e435401030100410102030405060708000000000000002a0000000000000000000000010000000000000000000000000000000000007fffffffffffffff000000000000000000000000000000000000000000000000000000ff26e97846892a28dee62128971b1d80"),
        GoldenVector(name: "hello", message: .hello(Fixtures.hello), keyed: true,
                     hex: "4a4e435401040100170102030405060708000000000000002a00000002a6e70000000000070a70692d6e6f7274682d32d290bb985a3530a20351ddd774e6bde8"),
        GoldenVector(name: "goodbye", message: .goodbye(Fixtures.goodbye), keyed: true,
                     hex: "4a4e435401050100180102030405060708000000000000002ac00d1a7000000001000000000000000317979d157ea0e800bd0f70cb584bbb31c98eb81c3c58939a"),
        GoldenVector(name: "insecure-tick", message: .tick(Fixtures.tickWithoutEcho), keyed: false,
                     hex: "4a4e435401010000310102030405060708000000000000002ac00d1a70000000010000000000000003fffffffffffffffb0000000000000000ffffffffffffffff000000000000000000"),
    ]

    @Test(arguments: vectors)
    func encodesToTheGoldenBytes(vector: GoldenVector) throws {
        let codec = vector.keyed ? Fixtures.codec : Fixtures.insecureCodec
        let sealed = try codec.seal(vector.message, sender: Fixtures.sender, sequence: Fixtures.sequence)
        #expect(Hex.encode(sealed) == vector.hex)
    }

    @Test(arguments: vectors)
    func decodesFromTheGoldenBytes(vector: GoldenVector) {
        let codec = vector.keyed ? Fixtures.codec : Fixtures.insecureCodec
        let opened = codec.open(Hex.decode(vector.hex))
        #expect(opened == .success(Envelope(senderID: Fixtures.sender, sequence: Fixtures.sequence, message: vector.message)))
    }

    @Test func theFixturePlanHasTheDocumentedID() {
        #expect(Fixtures.planChunk.planID == PlanID(rawValue: 0xebf7_465d_1ed9_c01d))
    }

    /// The document and the tests cannot drift apart: every vector tested
    /// here is printed in docs/PROTOCOL.md.
    @Test func protocolDocumentPrintsEveryVector() throws {
        let docURL = URL(filePath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "docs/PROTOCOL.md")
        let document = String(decoding: try Data(contentsOf: docURL), as: UTF8.self)
        for vector in Self.vectors {
            #expect(document.contains(vector.hex), "docs/PROTOCOL.md lacks the \(vector.name) vector")
        }
    }
}
