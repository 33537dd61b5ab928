/// Why a plan was refused. Each message names the file, the field and the
/// rule, so the person who wrote the plan knows exactly what to change.
public enum PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not JSON at all.
    case malformedJSON(source: String, JSONSyntaxError)
    /// The file is JSON but breaks a rule.
    case invalid(source: String, field: String, rule: PlanRule, message: String)

    /// The rule that was broken; nil for malformed JSON.
    public var rule: PlanRule? {
        if case let .invalid(_, _, rule, _) = self { return rule }
        return nil
    }

    /// The offending field as a path such as `phases[1].green`.
    public var field: String? {
        if case let .invalid(_, field, _, _) = self { return field }
        return nil
    }

    public var description: String {
        switch self {
        case let .malformedJSON(source, syntax):
            "\(source):\(syntax.line):\(syntax.column): malformed JSON: \(syntax.reason)"
        case let .invalid(source, field, rule, message):
            "\(source): \(field): \(message) [rule: \(rule.rawValue)]"
        }
    }
}

/// The rules a plan is held to; `PlanError.invalid` names one of them.
public enum PlanRule: String, Sendable, Hashable, CaseIterable {
    /// A field has the wrong JSON type or is missing.
    case type = "type"
    /// A member the schema does not know (a typo would otherwise be ignored).
    case unknownField = "unknown-field"
    /// A name that is referenced but never declared.
    case unknownName = "unknown-name"
    /// A name declared twice.
    case duplicateName = "duplicate-name"
    /// A name with characters or a length the plan does not allow.
    case badName = "bad-name"
    /// A duration that is zero, negative, too precise or absurdly long.
    case badDuration = "bad-duration"
    /// Two conflicting groups green in the same phase.
    case conflictingGreens = "conflicting-greens"
    /// A pair stated both compatible and conflicting.
    case compatibility = "compatibility"
    /// A conflicting pair whose clearance is below its required intergreen.
    case intergreen = "intergreen"
    /// A green shorter than the minimum green.
    case minimumGreen = "minimum-green"
    /// A clearance time below its configured minimum.
    case minimumClearance = "minimum-clearance"
    /// A configured minimum below the hard floor no plan may go under.
    case hardFloor = "hard-floor"
    /// The whole cycle is longer than one hour.
    case cycleTooLong = "cycle-too-long"
    /// Nothing to run: no groups, phases, junctions or heads.
    case empty = "empty"
    /// A group green across the cycle boundary (no all-red start).
    case allRedStart = "all-red-start"
    /// A group that is never green.
    case neverGreen = "never-green"
    /// A value outside its allowed set or range.
    case badValue = "bad-value"
    /// More groups, phases, junctions or heads than the plan allows.
    case tooMany = "too-many"
    /// The independent conflict monitor found a violation in the timeline.
    case monitor = "monitor"
}
