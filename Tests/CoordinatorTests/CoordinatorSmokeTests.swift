import Testing
@testable import Coordinator

@Test func CoordinatorModuleLoads() { #expect(Bool(true)) }
