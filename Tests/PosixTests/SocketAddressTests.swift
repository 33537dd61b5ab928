import Testing
@testable import Posix

@Suite struct SocketAddressTests {
    @Test func parsesAndPrintsNumericAddresses() throws {
        let v4 = try #require(SocketAddress(numericHost: "10.0.0.7", port: 9000))
        #expect(v4.host == .ipv4(0x0a00_0007))
        #expect(v4.description == "10.0.0.7:9000")
        let v6 = try #require(SocketAddress(numericHost: "fe80::1", port: 53))
        #expect(v6.host == .ipv6(high: 0xfe80_0000_0000_0000, low: 1, scopeID: 0))
        #expect(v6.description == "[fe80::1]:53")
        #expect(SocketAddress.loopbackIPv6(port: 1).description == "[::1]:1")
        #expect(SocketAddress(numericHost: "not an address", port: 1) == nil)
        #expect(SocketAddress(numericHost: "300.1.1.1", port: 1) == nil)
    }

    @Test func ipv4MappedAddressesBecomeIPv4() throws {
        let mapped = try #require(SocketAddress(numericHost: "::ffff:192.168.1.2", port: 5))
        #expect(mapped == SocketAddress(numericHost: "192.168.1.2", port: 5))
    }

    @Test func kernelFormRoundTrips() throws {
        for text in ["127.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "2001:db8::42"] {
            let address = try #require(SocketAddress(numericHost: text, port: 4242))
            let back = address.withKernelAddress(asIPv6: !address.isIPv4) { SocketAddress(kernel: $0, length: Int($1)) }
            #expect(back == address, "\(text)")
        }
        // An IPv4 address sent from a dual-stack socket is given in mapped form and reads back as IPv4.
        let v4 = SocketAddress.loopbackIPv4(port: 7)
        #expect(v4.withKernelAddress(asIPv6: true) { SocketAddress(kernel: $0, length: Int($1)) } == v4)
    }
}

@Suite struct AddressResolverTests {
    @Test func resolvesLocalhost() throws {
        let addresses = try AddressResolver.resolve(host: "localhost", port: 8123)
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { $0.port == 8123 })
        #expect(addresses.contains(.loopbackIPv4(port: 8123)) || addresses.contains(.loopbackIPv6(port: 8123)))
        #expect(Set(addresses).count == addresses.count, "no duplicates")
    }

    @Test func resolvesNumericHostsWithoutDNS() throws {
        #expect(try AddressResolver.resolve(host: "127.0.0.1", port: 1) == [.loopbackIPv4(port: 1)])
        #expect(try AddressResolver.resolve(host: "::1", port: 1) == [.loopbackIPv6(port: 1)])
    }

    /// ".invalid" never resolves (RFC 6761), so this needs no network.
    @Test func unknownNamesFailWithAHelpfulError() {
        do {
            _ = try AddressResolver.resolve(host: "no-such-host.invalid", port: 1)
            Issue.record("an .invalid name must not resolve")
        } catch {
            #expect(error.code != 0)
            #expect(error.description.contains("\"no-such-host.invalid\""))
        }
    }
}
