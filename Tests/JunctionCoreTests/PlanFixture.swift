@testable import JunctionCore

/// A valid plan as raw JSON fields, so each test can break exactly one field.
struct PlanFixture {
    var fields: [(String, String)] = [
        ("name", #""fixture""#),
        ("sequence", #""uk""#),
        ("timing", #"{"amber": 3, "redAmber": 2, "allRed": 2, "minGreen": 7}"#),
        ("groups", #"["north-south", "east-west", "walk"]"#),
        ("conflicts", #"[["north-south", "east-west"], ["north-south", "walk"], ["east-west", "walk"]]"#),
        ("phases", #"[{"name": "ns", "green": ["north-south"], "seconds": 20}, {"name": "ew", "green": ["east-west"], "seconds": 15}, {"name": "walk", "green": ["walk"], "seconds": 8}]"#),
        ("junctions", #"[{"name": "main"}]"#),
        ("heads", #"[{"board": "pi-a", "junction": "main", "group": "north-south"}, {"junction": "main", "group": "east-west"}, {"junction": "main", "group": "walk"}]"#),
    ]

    /// Replaces (or adds) one top-level field's raw JSON; nil removes it.
    func with(_ key: String, _ raw: String?) -> PlanFixture {
        var copy = self
        if let index = copy.fields.firstIndex(where: { $0.0 == key }) {
            if let raw { copy.fields[index].1 = raw } else { copy.fields.remove(at: index) }
        } else if let raw {
            copy.fields.append((key, raw))
        }
        return copy
    }

    var json: String {
        "{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }

    func load() throws(PlanError) -> SignalPlan {
        try SignalPlan.load(Array(json.utf8), source: "fixture.json")
    }

    /// The error a plan gets, or nil when it loads.
    func error() -> PlanError? {
        do {
            _ = try load()
            return nil
        } catch {
            return error
        }
    }
}
