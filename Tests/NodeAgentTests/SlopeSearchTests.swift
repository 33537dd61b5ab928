import Testing
@testable import NodeAgent

/// The searches the envelope fits rely on: on a concave function with a
/// kink at its top (as a gap between tightest bounds is), they land on the
/// kink to within what their step count promises.
@Suite struct SlopeSearchTests {
    static func kinked(at top: Double) -> (Double) -> Double {
        { x in x < top ? 3 * (x - top) : -(x - top) }
    }

    @Test(arguments: [-4.9e-4, -1e-6, 0, 2.5e-7, 3.3e-4])
    func goldenSectionLandsOnTheKink(top: Double) {
        let found = SlopeSearch.argmax(from: -5e-4, to: 5e-4, evaluations: 24, Self.kinked(at: top))
        // 0.618^24 of the 1e-3 range is 1e-8.
        #expect(abs(found - top) <= 1e-8)
    }

    @Test(arguments: [-4.9e-4, -1e-6, 0, 2.5e-7, 3.3e-4])
    func ternarySearchKeepsTheTopInItsLastInterval(top: Double) {
        let last = SlopeSearch.maximize(from: -5e-4, to: 5e-4, steps: 32, Self.kinked(at: top))
        #expect(last.lo <= top && top <= last.hi)
        #expect(last.hi - last.lo <= 1e-8)
    }

    @Test func theEdgeIsTheFirstSlopeWhereTheFunctionTurnsNegative() {
        // 1e-4 - |x|: non-negative on [-1e-4, 1e-4].
        let f = { (x: Double) in 1e-4 - abs(x) }
        let fastest = SlopeSearch.edge(from: 0, to: 5e-4, steps: 40, f)
        #expect(fastest > 1e-4 && fastest - 1e-4 <= 1e-12)
        #expect(SlopeSearch.edge(from: 0, to: 5e-5, steps: 40, f) == 5e-5)
    }
}
