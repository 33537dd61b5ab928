import Testing
@testable import JunctionCore

@Suite("JSON parser")
struct JSONParserTests {
    @Test func parsesTheGrammar() throws {
        let value = try JSONParser.parse(Array(#"{"a": [1, -2.5e3, true, false, null], "b": "x\"\u00e9\ud83d\ude00\n"}"#.utf8))
        #expect(value == .object([
            ("a", .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null])),
            ("b", .string("x\"é😀\n")),
        ]))
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 1, 9),
        ("[01]", 1, 3),
        ("{\"a\": 1, \"a\": 2}", 1, 10),
        ("\n\n  tru", 3, 6),
        ("[1] 2", 1, 5),
        ("\"abc", 1, 5),
    ])
    func refusesWithPosition(text: String, line: Int, column: Int) {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.line == line && error.column == column, "\(text): \(error)")
        }
    }

    @Test func depthIsBounded() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(deep.utf8)) }
    }

    @Test func exactDecimalSeconds() {
        #expect(DecimalNanos.nanos(fromSeconds: "0.1") == .success(100_000_000))
        #expect(DecimalNanos.nanos(fromSeconds: "2.5") == .success(2_500_000_000))
        #expect(DecimalNanos.nanos(fromSeconds: "1e-3") == .success(1_000_000))
        #expect(DecimalNanos.nanos(fromSeconds: "12.000000001") == .success(12_000_000_001))
        #expect(DecimalNanos.nanos(fromSeconds: "1.0000000001") == .failure(.tooPrecise))
        #expect(DecimalNanos.nanos(fromSeconds: "1e30") == .failure(.outOfRange))
        #expect(DecimalNanos.secondsText(21_600_000_000) == "21.6")
    }
}
