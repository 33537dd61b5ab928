import JunctionCore
import Protocol
import Testing
@testable import Coordinator

/// Plans lent by agents are taken only whole, matching their id, and valid.
@Suite("PlanLibrary: plans learned from the agents")
struct PlanLibraryTests {
    func chunks(_ text: String, anchor: Int64 = 0) throws -> [PlanChunk] {
        let bytes = Array(text.utf8)
        return try PlanChunk.split(planBytes: bytes, id: PlanID(planBytes: bytes), activation: TimebaseInstant(nanos: anchor))
    }

    /// A plan with a long description, so it travels in several chunks.
    func long(_ text: String, _ marker: Int = 0) -> String {
        text.replacing(#""description": ""#, with: #""description": ""# + String(repeating: "padding \(marker) ", count: 300))
    }

    @Test func aPlanIsLearnedFromItsChunksInAnyOrder() throws {
        var library = PlanLibrary()
        let text = long(ExamplePlans.crossroads)
        let pieces = try chunks(text)
        #expect(pieces.count >= 3)
        var outcomes: [PlanLibrary.Outcome] = []
        for chunk in pieces.reversed() { outcomes.append(library.receive(chunk)) }
        let id = PlanID(planBytes: Array(text.utf8)).rawValue
        #expect(outcomes.last == .learned(id: id, name: "crossroads"))
        #expect(outcomes.dropLast().allSatisfy { $0 == .pending })
        #expect(library.content(of: id)?.bytes == Array(text.utf8))
        #expect(!library.mayAsk(for: id))
        #expect(pieces.allSatisfy { library.receive($0) == .pending }, "copies of a known plan change nothing")
    }

    /// Chunks whose bytes do not hash to the id they carry are never a plan.
    @Test func bytesThatDoNotMatchTheirIDAreNotLearned() throws {
        var library = PlanLibrary()
        var forged = try chunks(ExamplePlans.crossroads)
        forged[0].planID = PlanID(rawValue: 42)
        #expect(forged.map { library.receive($0) }.allSatisfy { $0 == .pending })
        #expect(library.content(of: 42) == nil && library.mayAsk(for: 42))
    }

    /// A plan this build does not accept (an amber under the minimum) is
    /// refused once and not asked for again.
    @Test func anInvalidPlanIsRefusedAndRemembered() throws {
        var library = PlanLibrary()
        let bad = ExamplePlans.crossroads.replacing("\"amber\": 3", with: "\"amber\": 1")
        let id = PlanID(planBytes: Array(bad.utf8)).rawValue
        let outcomes = try chunks(bad).map { library.receive($0) }
        guard case .refused(id, _)? = outcomes.last else {
            Issue.record("refused: \(outcomes)")
            return
        }
        #expect(!library.mayAsk(for: id) && library.content(of: id) == nil)
    }

    /// At most `capacity` plans are kept: the oldest is forgotten.
    @Test func learnedPlansAreBounded() throws {
        var library = PlanLibrary()
        var ids: [UInt64] = []
        for k in 0..<(PlanLibrary.capacity + 1) {
            let text = ExamplePlans.crossroads.replacing(#""description": ""#, with: #""description": "\#(k) "#)
            ids.append(PlanID(planBytes: Array(text.utf8)).rawValue)
            for chunk in try chunks(text) { _ = library.receive(chunk) }
        }
        #expect(library.content(of: ids[0]) == nil, "the oldest is forgotten")
        #expect(ids.dropFirst().allSatisfy { library.content(of: $0) != nil })
    }
}
