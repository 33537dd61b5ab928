import Testing
@testable import Protocol

@Test func ProtocolModuleLoads() { #expect(Bool(true)) }
