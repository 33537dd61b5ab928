import JunctionCore
import Testing
@testable import Protocol

@Suite struct PlanAssemblerTests {
    static let plan: [UInt8] = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
    static let activation = TimebaseInstant(nanos: 1_700_000_000_000_000_000)
    static var chunks: [PlanChunk] {
        try! PlanChunk.split(planBytes: plan, id: PlanID(planBytes: plan), activation: activation)
    }

    @Test func splitCoversThePlanExactly() {
        let chunks = Self.chunks
        #expect(chunks.count == 5)
        #expect(chunks.flatMap(\.bytes) == Self.plan)
        #expect(chunks.map(\.index) == [0, 1, 2, 3, 4])
        #expect(chunks.allSatisfy { $0.count == 5 && $0.totalLength == 5000 && $0.layoutProblem == nil })
        #expect(chunks.last?.bytes.count == 5000 - 4 * 1024)
    }

    @Test func outOfOrderWithDuplicatesAssemblesOnce() {
        var assembler = PlanAssembler()
        let c = Self.chunks
        let result1 = assembler.accept(c[3])
        #expect(result1 == .incomplete(received: 1, count: 5))
        let result2 = assembler.accept(c[0])
        #expect(result2 == .incomplete(received: 2, count: 5))
        let result3 = assembler.accept(c[3])
        #expect(result3 == .duplicate)
        let result4 = assembler.accept(c[4])
        #expect(result4 == .incomplete(received: 3, count: 5))
        let result5 = assembler.accept(c[1])
        #expect(result5 == .incomplete(received: 4, count: 5))
        let plan = assembler.add(c[2])
        #expect(plan == AssembledPlan(planID: PlanID(planBytes: Self.plan), activation: Self.activation, bytes: Self.plan))
        #expect(assembler.plansInFlight == 0)
        // The coordinator keeps repeating chunks: they are recognised, not reassembled.
        let result6 = assembler.accept(c[0])
        #expect(result6 == .duplicate)
        #expect(assembler.plansInFlight == 0)
        #expect(assembler.drops.total == 0)
    }

    @Test func everyOrderOfASmallPlanAssembles() {
        let plan: [UInt8] = (0..<2500).map { UInt8(truncatingIfNeeded: $0) }
        let chunks = try! PlanChunk.split(planBytes: plan, id: PlanID(planBytes: plan), activation: Self.activation)
        for order in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            var assembler = PlanAssembler()
            let results = order.map { assembler.add(chunks[$0]) }
            #expect(results.dropLast().allSatisfy { $0 == nil })
            #expect(results.last??.bytes == plan, "order \(order)")
        }
    }

    @Test func idMismatchIsDroppedWithAReason() {
        var assembler = PlanAssembler()
        var forged = Self.chunks
        for i in forged.indices { forged[i].planID = PlanID(rawValue: 0xBAD) }
        let results = forged.map { assembler.add($0) }
        #expect(results.allSatisfy { $0 == nil })
        #expect(assembler.drops[.planMismatch] == 1)
        #expect(assembler.plansInFlight == 0)
        // One corrupted byte in an otherwise genuine plan is refused too.
        var corrupted = Self.chunks
        corrupted[2].bytes[10] ^= 0x01
        #expect(corrupted.map { assembler.add($0) }.allSatisfy { $0 == nil })
        #expect(assembler.drops[.planMismatch] == 2)
        // The genuine plan still assembles afterwards.
        #expect(Self.chunks.compactMap { assembler.add($0) }.count == 1)
    }

    @Test func chunksThatDisagreeAboutTheLengthAreDropped() {
        var assembler = PlanAssembler()
        let result1 = assembler.add(Self.chunks[0])
        #expect(result1 == nil)
        let other = PlanChunk(
            planID: Self.chunks[0].planID, activation: Self.activation, index: 1, count: 2, totalLength: 1500,
            bytes: [UInt8](repeating: 0, count: 476))
        let result2 = assembler.accept(other)
        #expect(result2 == .dropped(.planMismatch))
        let impossible = PlanChunk(planID: .none, activation: Self.activation, index: 9, count: 2, totalLength: 1500, bytes: [])
        let result3 = assembler.accept(impossible)
        #expect(result3 == .dropped(.badField))
    }

    @Test func memoryIsBoundedByEvictingTheLeastRecentlyFedPlan() {
        var assembler = PlanAssembler(maximumPlansInFlight: 2)
        func firstChunk(_ seed: UInt8) -> PlanChunk {
            let plan = [UInt8](repeating: seed, count: 3000)
            return try! PlanChunk.split(planBytes: plan, id: PlanID(planBytes: plan), activation: Self.activation)[0]
        }
        _ = assembler.add(firstChunk(1))
        _ = assembler.add(firstChunk(2))
        #expect(assembler.plansInFlight == 2)
        _ = assembler.add(firstChunk(3))
        #expect(assembler.plansInFlight == 2)
        #expect(assembler.drops[.planEvicted] == 1)
        // Plan 1 (the oldest) went: its first chunk is new again, evicting plan 2.
        let result1 = assembler.accept(firstChunk(1))
        #expect(result1 == .incomplete(received: 1, count: 3))
        let result2 = assembler.accept(firstChunk(3))
        #expect(result2 == .duplicate)
        #expect(assembler.drops[.planEvicted] == 2)
    }

    @Test func forgettingACompletedPlanLetsItAssembleAgain() {
        var assembler = PlanAssembler()
        #expect(Self.chunks.compactMap { assembler.add($0) }.count == 1)
        #expect(Self.chunks.compactMap { assembler.add($0) }.isEmpty)
        assembler.forgetCompleted(planID: PlanID(planBytes: Self.plan))
        #expect(Self.chunks.compactMap { assembler.add($0) }.count == 1)
    }
}
