import Testing
@testable import Posix

/// Lookups gathered into one list: each address once, in the order first
/// seen, however many there are (a coordinator given 10,000 agents gathers
/// them every five seconds).
@Suite struct AddressUnionTests {
    @Test func keepsEachAddressOnceInTheOrderFirstSeen() throws {
        let a = try #require(SocketAddress(numericHost: "10.0.0.1", port: 7070))
        let b = try #require(SocketAddress(numericHost: "10.0.0.2", port: 7070))
        let aOtherPort = try #require(SocketAddress(numericHost: "10.0.0.1", port: 7071))
        let aMapped = try #require(SocketAddress(numericHost: "::ffff:10.0.0.1", port: 7070))
        var union = AddressUnion()
        let added = [b, a, b, aOtherPort, aMapped].map { union.add($0) }
        // A second lookup naming the same pod adds nothing; another port is
        // another address; the mapped form of an IPv4 address is that address.
        #expect(added == [true, true, false, true, false])
        #expect(union.addresses == [b, a, aOtherPort])
    }

    @Test func tenThousandAgentsAddUpToTenThousand() {
        var union = AddressUnion()
        var newEachRound: [Int] = []
        for _ in 0..<2 {
            var new = 0
            for i in 0..<10_000 where union.add(SocketAddress(host: .ipv4(0x7f01_0000 | UInt32(i)), port: 7070)) { new += 1 }
            newEachRound.append(new)
        }
        #expect(newEachRound == [10_000, 0])
        #expect(union.addresses.count == 10_000)
        #expect(union.addresses.first == SocketAddress(host: .ipv4(0x7f01_0000), port: 7070))
    }
}
