/// Loading a plan from JSON: parse, decode every field with its path, then
/// hold the result to every rule. Either the whole plan is returned or an
/// error, never something in between.
extension SignalPlan {
    /// Limits on the size of a plan, so that a bad file cannot cost much.
    public static let maximumGroups = 64
    public static let maximumPhases = 64
    public static let maximumJunctions = 256
    public static let maximumHeads = 1024
    public static let maximumCycleNanos: Int64 = 3600 * .nanosPerSecond

    /// Parses and validates a plan. `source` names the file in messages.
    public static func load(_ bytes: [UInt8], source: String) throws(PlanError) -> SignalPlan {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw .malformedJSON(source: source, error)
        }
        let plan = try decode(json, reader: PlanReader(source: source))
        try PlanValidator(plan: plan, reader: PlanReader(source: source)).validate()
        return plan
    }

    private static let topLevelFields: Set<String> = [
        "name", "description", "sequence", "timing", "minimums", "groups", "conflicts", "compatible", "phases",
        "junctions", "corridor", "heads", "scaling", "flash",
    ]

    static func decode(_ json: JSONValue, reader r: PlanReader) throws(PlanError) -> SignalPlan {
        let top = try r.object(json, at: "", allowed: topLevelFields)
        let name = try top["name"].map { v throws(PlanError) in try r.string(v, at: "name") } ?? "plan"
        if let d = top["description"] { _ = try r.string(d, at: "description") }
        let sequence = try decodeSequence(top["sequence"], reader: r)
        let minimums = try decodeTiming(top["minimums"], at: "minimums", defaults: .defaultMinimums, sequence: sequence, reader: r)
        let timing = try decodeTiming(top["timing"], at: "timing", defaults: .defaults, sequence: sequence, reader: r)
        let groups = try decodeGroups(top["groups"], reader: r)
        let defaultIntergreen = minimums.amberNanos + minimums.allRedNanos
        let declared = try decodeConflicts(top["conflicts"], groups: groups, defaultIntergreenNanos: defaultIntergreen, reader: r)
        let compatible = try decodeCompatible(top["compatible"], groups: groups, conflicts: declared, reader: r)
        let phases = try decodePhases(top["phases"], groups: groups, reader: r)
        let conflicts = declared + impliedConflicts(groupCount: groups.count, phases: phases, declared: declared,
                                                    compatible: compatible, intergreenNanos: defaultIntergreen)
        let (junctions, corridor) = try decodeJunctions(top["junctions"], top["corridor"], reader: r)
        let heads = try decodeHeads(top["heads"], groups: groups, junctions: junctions, reader: r)
        let scaling = try decodeEnum(top["scaling"], at: "scaling", default: ScalingRule.mirror, reader: r)
        if scaling == .extend && corridor == nil {
            throw r.fail("scaling", .badValue, "\"extend\" grows a corridor by one junction per agent, so it needs a \"corridor\"")
        }
        let flash = try decodeFlash(top["flash"], reader: r)
        let plan = SignalPlan(name: name, sequence: sequence, timing: timing, minimums: minimums, groups: groups,
                              conflicts: conflicts, phases: phases, junctions: junctions, corridor: corridor,
                              heads: heads, scaling: scaling, flashAspect: flash)
        return plan.withJunctionOffsetsReduced()
    }

    private static func decodeSequence(_ value: JSONValue?, reader r: PlanReader) throws(PlanError) -> AspectSequence {
        try decodeEnum(value, at: "sequence", default: AspectSequence.uk, reader: r)
    }

    private static func decodeEnum<E: RawRepresentable & CaseIterable>(
        _ value: JSONValue?, at path: String, default fallback: E, reader r: PlanReader
    ) throws(PlanError) -> E where E.RawValue == String {
        guard let value else { return fallback }
        let text = try r.string(value, at: path)
        guard let result = E(rawValue: text) else {
            let options = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
            throw r.fail(path, .badValue, "\"\(text)\" is not one of \(options)")
        }
        return result
    }

    private static func decodeFlash(_ value: JSONValue?, reader r: PlanReader) throws(PlanError) -> Aspect {
        guard let value else { return .flashingRed }
        switch try r.string(value, at: "flash") {
        case "red": return .flashingRed
        case "amber": return .flashingAmber
        case let other: throw r.fail("flash", .badValue, "\"\(other)\" is not \"red\" or \"amber\"")
        }
    }

    private static func decodeTiming(_ value: JSONValue?, at path: String, defaults: ClearanceTiming,
                                     sequence: AspectSequence, reader r: PlanReader) throws(PlanError) -> ClearanceTiming {
        var timing = defaults
        if sequence == .us { timing.redAmberNanos = 0 }
        guard let value else { return timing }
        let fields = try r.object(value, at: path, allowed: ["amber", "redAmber", "allRed", "minGreen"])
        if let v = fields["amber"] { timing.amberNanos = try r.seconds(v, at: "\(path).amber") }
        if let v = fields["redAmber"] {
            if sequence == .us {
                throw r.fail("\(path).redAmber", .badValue, "red+amber belongs to the \"uk\" sequence; remove it or set \"sequence\": \"uk\"")
            }
            timing.redAmberNanos = try r.seconds(v, at: "\(path).redAmber")
        }
        if let v = fields["allRed"] { timing.allRedNanos = try r.seconds(v, at: "\(path).allRed") }
        if let v = fields["minGreen"] { timing.minGreenNanos = try r.seconds(v, at: "\(path).minGreen") }
        return timing
    }

    private static func decodeGroups(_ value: JSONValue?, reader r: PlanReader) throws(PlanError) -> [String] {
        guard let value else { throw r.fail("groups", .empty, "a plan needs at least two signal groups") }
        let elements = try r.array(value, at: "groups")
        if elements.count < 2 { throw r.fail("groups", .empty, "a plan needs at least two signal groups, found \(elements.count)") }
        if elements.count > maximumGroups {
            throw r.fail("groups", .tooMany, "\(elements.count) groups; at most \(maximumGroups) are allowed")
        }
        var names: [String] = []
        for (i, element) in elements.enumerated() {
            let name = try r.name(element, at: "groups[\(i)]")
            if names.contains(name) { throw r.fail("groups[\(i)]", .duplicateName, "group \"\(name)\" is declared twice") }
            names.append(name)
        }
        return names
    }

    private static func groupIndex(_ value: JSONValue, at path: String, groups: [String], reader r: PlanReader) throws(PlanError) -> Int {
        let name = try r.string(value, at: path)
        guard let index = groups.firstIndex(of: name) else {
            throw r.fail(path, .unknownName, "unknown group \"\(name)\" (groups: \(groups.joined(separator: ", ")))")
        }
        return index
    }

    private static func decodeConflicts(_ value: JSONValue?, groups: [String], defaultIntergreenNanos: Int64,
                                        reader r: PlanReader) throws(PlanError) -> [Conflict] {
        guard let value else { return [] }
        var conflicts: [Conflict] = []
        for (i, element) in try r.array(value, at: "conflicts").enumerated() {
            let path = "conflicts[\(i)]"
            var pair: [JSONValue]
            var intergreen = defaultIntergreenNanos
            if case .array = element {
                pair = try r.array(element, at: path)
            } else {
                let fields = try r.object(element, at: path, allowed: ["groups", "intergreen"])
                guard let g = fields["groups"] else { throw r.fail("\(path).groups", .type, "missing the two conflicting groups") }
                pair = try r.array(g, at: "\(path).groups")
                if let v = fields["intergreen"] { intergreen = try r.seconds(v, at: "\(path).intergreen") }
            }
            guard pair.count == 2 else { throw r.fail(path, .type, "a conflict names exactly two groups, found \(pair.count)") }
            let a = try groupIndex(pair[0], at: "\(path)[0]", groups: groups, reader: r)
            let b = try groupIndex(pair[1], at: "\(path)[1]", groups: groups, reader: r)
            if a == b { throw r.fail(path, .badValue, "group \"\(groups[a])\" cannot conflict with itself") }
            if conflicts.contains(where: { Set([$0.first, $0.second]) == Set([a, b]) }) {
                throw r.fail(path, .duplicateName, "the conflict \(groups[a]) / \(groups[b]) is listed twice")
            }
            conflicts.append(Conflict(first: a, second: b, intergreenNanos: intergreen, declared: i))
        }
        return conflicts
    }

    /// The pairs a plan states may be green together, as unordered pairs.
    private static func decodeCompatible(_ value: JSONValue?, groups: [String], conflicts: [Conflict],
                                         reader r: PlanReader) throws(PlanError) -> Set<Set<Int>> {
        guard let value else { return [] }
        var pairs: Set<Set<Int>> = []
        for (i, element) in try r.array(value, at: "compatible").enumerated() {
            let path = "compatible[\(i)]"
            let pair = try r.array(element, at: path)
            guard pair.count == 2 else { throw r.fail(path, .type, "a compatible pair names exactly two groups, found \(pair.count)") }
            let a = try groupIndex(pair[0], at: "\(path)[0]", groups: groups, reader: r)
            let b = try groupIndex(pair[1], at: "\(path)[1]", groups: groups, reader: r)
            if a == b { throw r.fail(path, .badValue, "group \"\(groups[a])\" is always compatible with itself; remove the pair") }
            let key: Set<Int> = [a, b]
            if pairs.contains(key) { throw r.fail(path, .duplicateName, "the pair \(groups[a]) / \(groups[b]) is listed twice") }
            if let c = conflicts.first(where: { Set([$0.first, $0.second]) == key }) {
                throw r.fail(path, .compatibility,
                             "\(groups[a]) / \(groups[b]) is listed as compatible and as conflicts[\(c.declared ?? 0)]; keep one of the two")
            }
            pairs.insert(key)
        }
        return pairs
    }

    /// The fail-closed default: every pair green together in no phase, not
    /// declared and not stated compatible, conflicts with the default intergreen.
    static func impliedConflicts(groupCount: Int, phases: [Phase], declared: [Conflict], compatible: Set<Set<Int>>,
                                 intergreenNanos: Int64) -> [Conflict] {
        var together = Set<Set<Int>>()
        for phase in phases {
            for a in phase.greens { for b in phase.greens where a < b { together.insert([a, b]) } }
        }
        let listed = Set(declared.map { Set([$0.first, $0.second]) })
        var implied: [Conflict] = []
        for a in 0..<groupCount {
            for b in (a + 1)..<max(groupCount, a + 1) {
                let key: Set<Int> = [a, b]
                if together.contains(key) || compatible.contains(key) || listed.contains(key) { continue }
                implied.append(Conflict(first: a, second: b, intergreenNanos: intergreenNanos))
            }
        }
        return implied
    }

    private static func decodePhases(_ value: JSONValue?, groups: [String], reader r: PlanReader) throws(PlanError) -> [Phase] {
        guard let value else { throw r.fail("phases", .empty, "a plan needs at least two phases") }
        let elements = try r.array(value, at: "phases")
        if elements.count < 2 { throw r.fail("phases", .empty, "a plan needs at least two phases, found \(elements.count)") }
        if elements.count > maximumPhases {
            throw r.fail("phases", .tooMany, "\(elements.count) phases; at most \(maximumPhases) are allowed")
        }
        var phases: [Phase] = []
        for (i, element) in elements.enumerated() {
            let path = "phases[\(i)]"
            let fields = try r.object(element, at: path, allowed: ["name", "green", "seconds"])
            let name = try fields["name"].map { v throws(PlanError) in try r.name(v, at: "\(path).name") } ?? "phase-\(i + 1)"
            if phases.contains(where: { $0.name == name }) {
                throw r.fail("\(path).name", .duplicateName, "phase \"\(name)\" is declared twice")
            }
            guard let greenValue = fields["green"] else { throw r.fail("\(path).green", .type, "missing the list of green groups") }
            var greens: [Int] = []
            for (k, g) in try r.array(greenValue, at: "\(path).green").enumerated() {
                let index = try groupIndex(g, at: "\(path).green[\(k)]", groups: groups, reader: r)
                if greens.contains(index) {
                    throw r.fail("\(path).green[\(k)]", .duplicateName, "group \"\(groups[index])\" is listed twice")
                }
                greens.append(index)
            }
            if greens.isEmpty { throw r.fail("\(path).green", .empty, "a phase must give green to at least one group") }
            guard let secondsValue = fields["seconds"] else { throw r.fail("\(path).seconds", .type, "missing the green time in seconds") }
            let greenNanos = try r.seconds(secondsValue, at: "\(path).seconds")
            phases.append(Phase(name: name, greens: greens.sorted(), greenNanos: greenNanos))
        }
        return phases
    }

    private static func decodeJunctions(_ listValue: JSONValue?, _ corridorValue: JSONValue?,
                                        reader r: PlanReader) throws(PlanError) -> ([JunctionSpec], Corridor?) {
        switch (listValue, corridorValue) {
        case (.some, .some):
            throw r.fail("corridor", .badValue, "give either \"junctions\" or \"corridor\", not both")
        case (nil, nil):
            return ([JunctionSpec(name: "main", offsetNanos: 0)], nil)
        case let (.some(list), nil):
            let elements = try r.array(list, at: "junctions")
            if elements.isEmpty { throw r.fail("junctions", .empty, "list at least one junction") }
            if elements.count > maximumJunctions {
                throw r.fail("junctions", .tooMany, "\(elements.count) junctions; at most \(maximumJunctions) are allowed")
            }
            var junctions: [JunctionSpec] = []
            for (i, element) in elements.enumerated() {
                let path = "junctions[\(i)]"
                let fields = try r.object(element, at: path, allowed: ["name", "offset"])
                guard let n = fields["name"] else { throw r.fail("\(path).name", .type, "missing the junction's name") }
                let name = try r.name(n, at: "\(path).name")
                if junctions.contains(where: { $0.name == name }) {
                    throw r.fail("\(path).name", .duplicateName, "junction \"\(name)\" is declared twice")
                }
                let offset = try fields["offset"].map { v throws(PlanError) in try r.seconds(v, at: "\(path).offset", allowZero: true) } ?? 0
                junctions.append(JunctionSpec(name: name, offsetNanos: offset))
            }
            return (junctions, nil)
        case let (nil, .some(value)):
            let corridor = try decodeCorridor(value, reader: r)
            let junctions = (0..<corridor.count).map {
                JunctionSpec(name: "\(corridor.namePrefix)\($0)", offsetNanos: corridor.travelNanos(toJunction: $0))
            }
            return (junctions, corridor)
        }
    }

    private static func decodeCorridor(_ value: JSONValue, reader r: PlanReader) throws(PlanError) -> Corridor {
        let fields = try r.object(value, at: "corridor", allowed: ["junctions", "spacingMetres", "speedKmh", "namePrefix"])
        guard let c = fields["junctions"] else { throw r.fail("corridor.junctions", .type, "missing the number of junctions") }
        let count = try r.integer(c, at: "corridor.junctions")
        if count < 1 || count > maximumJunctions {
            throw r.fail("corridor.junctions", .badValue, "\(count) junctions; give 1 to \(maximumJunctions)")
        }
        guard let s = fields["spacingMetres"] else { throw r.fail("corridor.spacingMetres", .type, "missing the spacing in metres") }
        let spacing = try r.number(s, at: "corridor.spacingMetres")
        if !(spacing > 0 && spacing <= 100_000) {
            throw r.fail("corridor.spacingMetres", .badValue, "\(spacing) m is not a spacing between 0 and 100000 m")
        }
        guard let v = fields["speedKmh"] else { throw r.fail("corridor.speedKmh", .type, "missing the design speed in km/h") }
        let speed = try r.number(v, at: "corridor.speedKmh")
        if !(speed >= 1 && speed <= 200) {
            throw r.fail("corridor.speedKmh", .badValue, "\(speed) km/h is not a design speed between 1 and 200 km/h")
        }
        let prefix = try fields["namePrefix"].map { v throws(PlanError) in try r.name(v, at: "corridor.namePrefix") } ?? "j"
        return Corridor(count: count, spacingMetres: spacing, speedKmh: speed, namePrefix: prefix)
    }

    private static func decodeHeads(_ value: JSONValue?, groups: [String], junctions: [JunctionSpec],
                                    reader r: PlanReader) throws(PlanError) -> [HeadEntry] {
        guard let value else { throw r.fail("heads", .empty, "list at least one head (which board shows which group)") }
        let elements = try r.array(value, at: "heads")
        if elements.isEmpty { throw r.fail("heads", .empty, "list at least one head (which board shows which group)") }
        if elements.count > maximumHeads {
            throw r.fail("heads", .tooMany, "\(elements.count) heads; at most \(maximumHeads) are allowed")
        }
        var heads: [HeadEntry] = []
        for (i, element) in elements.enumerated() {
            let path = "heads[\(i)]"
            let fields = try r.object(element, at: path, allowed: ["board", "junction", "group"])
            let board = try fields["board"].map { v throws(PlanError) in try r.boardName(v, at: "\(path).board") }
            if let board, heads.contains(where: { $0.board == board }) {
                throw r.fail("\(path).board", .duplicateName, "board \"\(board)\" is given two heads; a board shows one head")
            }
            let junction: Int
            if let j = fields["junction"] {
                let name = try r.string(j, at: "\(path).junction")
                guard let index = junctions.firstIndex(where: { $0.name == name }) else {
                    let known = junctions.map(\.name).joined(separator: ", ")
                    throw r.fail("\(path).junction", .unknownName, "unknown junction \"\(name)\" (junctions: \(known))")
                }
                junction = index
            } else if junctions.count == 1 {
                junction = 0
            } else {
                throw r.fail("\(path).junction", .type, "missing the junction (the plan has \(junctions.count))")
            }
            guard let g = fields["group"] else { throw r.fail("\(path).group", .type, "missing the signal group") }
            let group = try groupIndex(g, at: "\(path).group", groups: groups, reader: r)
            heads.append(HeadEntry(board: board, junction: junction, group: group))
        }
        return heads
    }

    /// Junction offsets are kept in `0..<cycle`, as the green-wave rule says.
    func withJunctionOffsetsReduced() -> SignalPlan {
        let reduced = junctions.map { JunctionSpec(name: $0.name, offsetNanos: floorMod($0.offsetNanos, cycleNanos)) }
        return SignalPlan(name: name, sequence: sequence, timing: timing, minimums: minimums, groups: groups,
                          conflicts: conflicts, phases: phases, junctions: reduced, corridor: corridor, heads: heads,
                          scaling: scaling, flashAspect: flashAspect)
    }
}
