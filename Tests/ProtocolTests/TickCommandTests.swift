import JunctionCore
import Testing
@testable import Protocol

/// The tick's command byte and flags: every command and the commit flag
/// round-trip without changing the tick's size, and nothing else decodes.
@Suite struct TickCommandTests {
    @Test(arguments: TickCommand.allCases)
    func commandsRoundTripAtTheSameSize(command: TickCommand) throws {
        var tick = Fixtures.tickWithEcho
        tick.command = command
        let datagram = try Fixtures.codec.seal(.tick(tick), sender: 9, sequence: 1, recipient: 5)
        let plain = try Fixtures.codec.seal(.tick(Fixtures.tickWithEcho), sender: 9, sequence: 1, recipient: 5)
        #expect(datagram.count == plain.count)
        guard case let .success(envelope) = Fixtures.codec.open(datagram), case let .tick(decoded) = envelope.message else {
            Issue.record("a \(command) tick did not decode")
            return
        }
        #expect(decoded == tick)
    }

    @Test func commitFlagNeedsAPendingPlanAndKeepsTheEcho() throws {
        var tick = Fixtures.tickWithEcho
        tick.pending = Fixtures.announcedPlan
        tick.pendingCommitted = true
        let datagram = try Fixtures.codec.seal(.tick(tick), sender: 9, sequence: 1, recipient: 5)
        guard case let .success(envelope) = Fixtures.codec.open(datagram), case let .tick(decoded) = envelope.message else {
            Issue.record("a committed tick did not decode")
            return
        }
        #expect(decoded.pendingCommitted && decoded.pending == Fixtures.announcedPlan)
        #expect(decoded.echo == Fixtures.tickWithEcho.echo)
    }

    @Test func unknownFlagBitsAndCommandsAreRefused() throws {
        var datagram = try Fixtures.insecureCodec.seal(.tick(Fixtures.tickWithoutEcho), sender: 9, sequence: 1, recipient: 5)
        // Without echo the flags byte is last and the command byte before it.
        for bit in 2..<8 {
            datagram[datagram.count - 1] = 1 << bit
            #expect(Fixtures.insecureCodec.open(datagram) == .failure(.badField), "flag bit \(bit)")
        }
        datagram[datagram.count - 1] = 0b10  // committed: the fixture has a pending plan
        guard case let .success(envelope) = Fixtures.insecureCodec.open(datagram), case let .tick(tick) = envelope.message else {
            Issue.record("flag bit 1 alone should decode")
            return
        }
        #expect(tick.pendingCommitted && tick.echo == nil)
        datagram[datagram.count - 1] = 0
        for command in UInt8(3)...255 {
            datagram[datagram.count - 2] = command
            #expect(Fixtures.insecureCodec.open(datagram) == .failure(.badField), "command \(command)")
        }
    }
}
