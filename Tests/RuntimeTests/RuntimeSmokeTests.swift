import Testing
@testable import Runtime

@Test func RuntimeModuleLoads() { #expect(Bool(true)) }
