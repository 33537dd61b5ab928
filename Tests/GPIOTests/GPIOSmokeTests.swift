import Testing
@testable import GPIO

@Test func GPIOModuleLoads() { #expect(Bool(true)) }
