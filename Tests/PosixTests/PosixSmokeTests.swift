import Testing
@testable import Posix

@Test func PosixModuleLoads() { #expect(Bool(true)) }
