import Testing
@testable import JunctionCore

@Suite("Plan validation: one rule broken at a time")
struct PlanValidationTests {
    @Test func fixtureIsValid() throws {
        let plan = try PlanFixture().load()
        // 3 phases of green 20+15+8 and interstage (2 all-red + 2 red+amber + 3 amber) each.
        #expect(plan.cycleNanos == (43 + 3 * 7) * .nanosPerSecond)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var key: String
        var raw: String?
        var rule: PlanRule
        var field: String
        var messageContains: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "conflicting greens in a phase", key: "phases",
             raw: #"[{"green": ["north-south", "east-west"], "seconds": 20}, {"green": ["walk"], "seconds": 8}]"#,
             rule: .conflictingGreens, field: "phases[0].green", messageContains: "north-south and east-west conflict"),
        Case(name: "intergreen below the pair's requirement", key: "conflicts",
             raw: #"[{"groups": ["north-south", "east-west"], "intergreen": 9}, ["north-south", "walk"], ["east-west", "walk"]]"#,
             rule: .intergreen, field: "conflicts[0].intergreen", messageContains: "the plan gives 7 s"),
        Case(name: "intergreen requirement below amber plus all-red", key: "conflicts",
             raw: #"[{"groups": ["north-south", "east-west"], "intergreen": 2}, ["north-south", "walk"], ["east-west", "walk"]]"#,
             rule: .intergreen, field: "conflicts[0].intergreen", messageContains: "below minimum amber plus all-red"),
        Case(name: "green shorter than minimum green", key: "phases",
             raw: #"[{"green": ["north-south"], "seconds": 5}, {"green": ["east-west"], "seconds": 15}, {"green": ["walk"], "seconds": 8}]"#,
             rule: .minimumGreen, field: "phases[0].seconds", messageContains: "shorter than the minimum green of 7 s"),
        Case(name: "amber below minimum", key: "timing", raw: #"{"amber": 2.5}"#,
             rule: .minimumClearance, field: "timing.amber", messageContains: "amber of 2.5 s is below the minimum of 3 s"),
        Case(name: "all-red below minimum", key: "timing", raw: #"{"allRed": 0.5}"#,
             rule: .minimumClearance, field: "timing.allRed", messageContains: "all-red of 0.5 s"),
        Case(name: "minimum below the hard floor", key: "minimums", raw: #"{"amber": 2}"#,
             rule: .hardFloor, field: "minimums.amber", messageContains: "hard floor of 3 s"),
        Case(name: "unknown group in a phase", key: "phases",
             raw: #"[{"green": ["north"], "seconds": 20}, {"green": ["east-west"], "seconds": 15}]"#,
             rule: .unknownName, field: "phases[0].green[0]", messageContains: "unknown group \"north\""),
        Case(name: "unknown group in a conflict", key: "conflicts", raw: #"[["north-south", "bus"]]"#,
             rule: .unknownName, field: "conflicts[0][1]", messageContains: "unknown group \"bus\""),
        Case(name: "duplicate group", key: "groups", raw: #"["north-south", "east-west", "walk", "walk"]"#,
             rule: .duplicateName, field: "groups[3]", messageContains: "declared twice"),
        Case(name: "duplicate phase name", key: "phases",
             raw: #"[{"name": "a", "green": ["north-south"], "seconds": 20}, {"name": "a", "green": ["east-west"], "seconds": 15}, {"green": ["walk"], "seconds": 8}]"#,
             rule: .duplicateName, field: "phases[1].name", messageContains: "declared twice"),
        Case(name: "duplicate conflict", key: "conflicts", raw: #"[["north-south", "east-west"], ["east-west", "north-south"]]"#,
             rule: .duplicateName, field: "conflicts[1]", messageContains: "listed twice"),
        Case(name: "bad group name", key: "groups", raw: #"["North South", "east-west", "walk"]"#,
             rule: .badName, field: "groups[0]", messageContains: "not a valid name"),
        Case(name: "zero duration", key: "phases",
             raw: #"[{"green": ["north-south"], "seconds": 0}, {"green": ["east-west"], "seconds": 15}, {"green": ["walk"], "seconds": 8}]"#,
             rule: .badDuration, field: "phases[0].seconds", messageContains: "greater than zero"),
        Case(name: "negative duration", key: "timing", raw: #"{"amber": -3}"#,
             rule: .badDuration, field: "timing.amber", messageContains: "greater than zero"),
        Case(name: "absurd duration", key: "timing", raw: #"{"allRed": 7200}"#,
             rule: .badDuration, field: "timing.allRed", messageContains: "absurd"),
        Case(name: "duration finer than a nanosecond", key: "timing", raw: #"{"amber": 3.0000000001}"#,
             rule: .badDuration, field: "timing.amber", messageContains: "more precise than a nanosecond"),
        Case(name: "cycle over one hour", key: "phases",
             raw: #"[{"green": ["north-south"], "seconds": 1800}, {"green": ["east-west"], "seconds": 1800}, {"green": ["walk"], "seconds": 8}]"#,
             rule: .cycleTooLong, field: "phases", messageContains: "longer than one hour"),
        Case(name: "empty plan: no phases", key: "phases", raw: "[]",
             rule: .empty, field: "phases", messageContains: "at least two phases"),
        Case(name: "empty plan: no groups", key: "groups", raw: "[]",
             rule: .empty, field: "groups", messageContains: "at least two signal groups"),
        Case(name: "empty plan: no heads", key: "heads", raw: nil,
             rule: .empty, field: "heads", messageContains: "at least one head"),
        Case(name: "head on a missing junction", key: "heads", raw: #"[{"junction": "side", "group": "walk"}]"#,
             rule: .unknownName, field: "heads[0].junction", messageContains: "unknown junction \"side\""),
        Case(name: "head on a missing group", key: "heads", raw: #"[{"junction": "main", "group": "tram"}]"#,
             rule: .unknownName, field: "heads[0].group", messageContains: "unknown group \"tram\""),
        Case(name: "board given two heads", key: "heads",
             raw: #"[{"board": "pi-a", "group": "walk"}, {"board": "pi-a", "group": "east-west"}]"#,
             rule: .duplicateName, field: "heads[1].board", messageContains: "given two heads"),
        Case(name: "group never green", key: "phases",
             raw: #"[{"green": ["north-south"], "seconds": 20}, {"green": ["east-west"], "seconds": 15}]"#,
             rule: .neverGreen, field: "groups[2]", messageContains: "\"walk\" is green in no phase"),
        Case(name: "green across the cycle start", key: "phases",
             raw: #"[{"green": ["north-south"], "seconds": 20}, {"green": ["east-west"], "seconds": 15}, {"green": ["walk", "north-south"], "seconds": 8}]"#,
             rule: .conflictingGreens, field: "phases[2].green", messageContains: "conflict"),
        Case(name: "unknown field (a typo)", key: "timing", raw: #"{"ambre": 3}"#,
             rule: .unknownField, field: "timing.ambre", messageContains: "unknown field \"ambre\""),
        Case(name: "wrong type", key: "groups", raw: #""north-south""#,
             rule: .type, field: "groups", messageContains: "expected an array, found a string"),
        Case(name: "bad sequence", key: "sequence", raw: #""fr""#,
             rule: .badValue, field: "sequence", messageContains: "not one of \"uk\" or \"us\""),
        Case(name: "red+amber in a US plan", key: "sequence", raw: #""us""#,
             rule: .badValue, field: "timing.redAmber", messageContains: "belongs to the \"uk\" sequence"),
        Case(name: "extend without a corridor", key: "scaling", raw: #""extend""#,
             rule: .badValue, field: "scaling", messageContains: "needs a \"corridor\""),
        Case(name: "junctions and corridor both", key: "corridor", raw: #"{"junctions": 2, "spacingMetres": 100, "speedKmh": 50}"#,
             rule: .badValue, field: "corridor", messageContains: "not both"),
        Case(name: "absurd corridor speed", key: "junctions", raw: nil,
             rule: .badValue, field: "corridor.speedKmh", messageContains: "design speed"),
        Case(name: "too many groups", key: "groups",
             raw: "[" + (0..<65).map { "\"g\($0)\"" }.joined(separator: ",") + "]",
             rule: .tooMany, field: "groups", messageContains: "at most 64"),
    ]

    @Test("each rule refuses the plan with a message naming file, field and rule", arguments: cases)
    func refusal(_ c: Case) throws {
        var fixture = PlanFixture().with(c.key, c.raw)
        if c.name == "absurd corridor speed" {
            fixture = fixture.with("corridor", #"{"junctions": 2, "spacingMetres": 100, "speedKmh": 900}"#)
        }
        let error = try #require(fixture.error(), "\(c.name): the plan was accepted")
        #expect(error.rule == c.rule, "\(error)")
        #expect(error.field == c.field, "\(error)")
        let text = error.description
        #expect(text.hasPrefix("fixture.json: \(c.field): "), "\(text)")
        #expect(text.contains(c.messageContains), "\(text)")
        #expect(text.contains("[rule: \(c.rule.rawValue)]"))
        #expect(!text.contains("\n"), "one line")
    }

    @Test func allRedStartRuleWithoutConflicts() throws {
        // A group green in the last and the first phase (not a conflict) is refused
        // because plans hand over at the all-red cycle start.
        let fixture = PlanFixture()
            .with("conflicts", #"[["north-south", "east-west"]]"#)
            .with("phases", #"[{"green": ["north-south", "walk"], "seconds": 20}, {"green": ["east-west"], "seconds": 15}, {"green": ["walk"], "seconds": 8}]"#)
        let error = try #require(fixture.error())
        #expect(error.rule == .allRedStart)
        #expect(error.field == "phases[2].green")
    }

    @Test func malformedJSONNamesLineAndColumn() throws {
        let text = "{\n  \"groups\": [\"a\",\n    ,\"b\"]\n}"
        do {
            _ = try SignalPlan.load(Array(text.utf8), source: "bad.json")
            Issue.record("accepted malformed JSON")
        } catch {
            #expect(error == .malformedJSON(source: "bad.json", JSONSyntaxError(line: 3, column: 5, reason: "unexpected character ',', expected a value")))
            #expect(error.description == "bad.json:3:5: malformed JSON: unexpected character ',', expected a value")
        }
    }

    @Test func defaultsAreSensible() throws {
        let plan = try PlanFixture().with("timing", nil).load()
        #expect(plan.timing.amberNanos == 3 * .nanosPerSecond)
        #expect(plan.timing.allRedNanos >= 1 * .nanosPerSecond)
        #expect(plan.minimums.amberNanos == 3 * .nanosPerSecond)
        #expect(plan.minimums.allRedNanos == 1 * .nanosPerSecond)
        #expect(plan.flashAspect == .flashingRed)
        #expect(plan.scaling == .mirror)
    }

    @Test func shippedPlansMatchTheBuiltInExamples() throws {
        for name in ExamplePlans.names {
            let text = try #require(ExamplePlans.text(named: name))
            let plan = try SignalPlan.load(Array(text.utf8), source: "\(name).json")
            #expect(plan.name == name)
            let file = try readRepositoryFile("plans/\(name).json")
            #expect(file == text, "plans/\(name).json differs from ExamplePlans.\(name)")
        }
    }
}
