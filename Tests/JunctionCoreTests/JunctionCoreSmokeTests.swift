import Testing
@testable import JunctionCore

@Test func JunctionCoreModuleLoads() { #expect(Bool(true)) }
