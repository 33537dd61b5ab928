import Testing
import JunctionCore
@testable import Protocol

@Suite("Tick flags")
struct FlashCommandTests {
    @Test func flashCommandRoundTripsAndLeavesOtherTicksUnchanged() throws {
        var tick = Fixtures.tickWithEcho
        tick.flashCommanded = true
        let datagram = try Fixtures.codec.seal(.tick(tick), sender: 9, sequence: 1)
        let plain = try Fixtures.codec.seal(.tick(Fixtures.tickWithEcho), sender: 9, sequence: 1)
        #expect(datagram.count == plain.count)
        guard case let .success(envelope) = Fixtures.codec.open(datagram), case let .tick(decoded) = envelope.message else {
            Issue.record("a flash-commanded tick did not decode")
            return
        }
        #expect(decoded.flashCommanded)
        #expect(decoded.echo == Fixtures.tickWithEcho.echo)
    }

    @Test func unknownFlagBitsAreRefused() throws {
        var datagram = try Fixtures.insecureCodec.seal(.tick(Fixtures.tickWithoutEcho), sender: 9, sequence: 1)
        // The flags byte is the last byte of a tick without echo.
        datagram[datagram.count - 1] = 0b100
        #expect(Fixtures.insecureCodec.open(datagram) == .failure(.badField))
        datagram[datagram.count - 1] = 0b10
        guard case let .success(envelope) = Fixtures.insecureCodec.open(datagram), case let .tick(tick) = envelope.message else {
            Issue.record("flag bit 1 alone should decode")
            return
        }
        #expect(tick.flashCommanded && tick.echo == nil)
    }
}
