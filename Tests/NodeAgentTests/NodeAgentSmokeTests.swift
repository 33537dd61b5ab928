import Testing
@testable import NodeAgent

@Test func NodeAgentModuleLoads() { #expect(Bool(true)) }
