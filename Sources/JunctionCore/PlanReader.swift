/// Typed access to a plan's JSON that turns every mismatch into a
/// `PlanError` naming the file and the field path.
struct PlanReader {
    let source: String

    func fail(_ field: String, _ rule: PlanRule, _ message: String) -> PlanError {
        .invalid(source: source, field: field, rule: rule, message: message)
    }

    /// The members of an object, refusing members not in `allowed` (a typo
    /// such as `"ambre"` must not silently fall back to a default).
    func object(_ value: JSONValue, at path: String, allowed: Set<String>) throws(PlanError) -> [String: JSONValue] {
        guard case let .object(members) = value else {
            throw fail(path, .type, "expected an object, found \(value.kindName)")
        }
        var result: [String: JSONValue] = [:]
        for (key, member) in members {
            guard allowed.contains(key) else {
                let known = allowed.sorted().joined(separator: ", ")
                throw fail(join(path, key), .unknownField, "unknown field \"\(key)\" (known fields: \(known))")
            }
            result[key] = member
        }
        return result
    }

    func array(_ value: JSONValue, at path: String) throws(PlanError) -> [JSONValue] {
        guard case let .array(elements) = value else {
            throw fail(path, .type, "expected an array, found \(value.kindName)")
        }
        return elements
    }

    func string(_ value: JSONValue, at path: String) throws(PlanError) -> String {
        guard case let .string(text) = value else {
            throw fail(path, .type, "expected a string, found \(value.kindName)")
        }
        return text
    }

    func number(_ value: JSONValue, at path: String) throws(PlanError) -> Double {
        guard case let .number(text) = value, let number = Double(text) else {
            throw fail(path, .type, "expected a number, found \(value.kindName)")
        }
        return number
    }

    func integer(_ value: JSONValue, at path: String) throws(PlanError) -> Int {
        guard case let .number(text) = value else {
            throw fail(path, .type, "expected a whole number, found \(value.kindName)")
        }
        guard let number = Int(text) else { throw fail(path, .type, "expected a whole number, found \(text)") }
        return number
    }

    /// A duration in seconds: positive, at most one hour, exact to the nanosecond.
    func seconds(_ value: JSONValue, at path: String, allowZero: Bool = false) throws(PlanError) -> Int64 {
        guard case let .number(text) = value else {
            throw fail(path, .type, "expected a number of seconds, found \(value.kindName)")
        }
        switch DecimalNanos.nanos(fromSeconds: text) {
        case .failure(.tooPrecise):
            throw fail(path, .badDuration, "\(text) s is more precise than a nanosecond")
        case .failure:
            throw fail(path, .badDuration, "\(text) s is not a usable duration")
        case let .success(nanos):
            if nanos < 0 || (nanos == 0 && !allowZero) {
                throw fail(path, .badDuration, "\(text) s must be greater than zero")
            }
            if nanos > 3600 * .nanosPerSecond {
                throw fail(path, .badDuration, "\(text) s is absurd: no single duration may exceed one hour")
            }
            return nanos
        }
    }

    /// A group, junction or phase name: 1 to 31 characters of a-z, 0-9, '-', '_', '.'.
    func name(_ value: JSONValue, at path: String) throws(PlanError) -> String {
        let text = try string(value, at: path)
        try checkName(text, at: path, maximumLength: 31)
        return text
    }

    /// A board name is a Kubernetes node name: up to 63 characters.
    func boardName(_ value: JSONValue, at path: String) throws(PlanError) -> String {
        let text = try string(value, at: path)
        try checkName(text, at: path, maximumLength: 63)
        return text
    }

    private func checkName(_ text: String, at path: String, maximumLength: Int) throws(PlanError) {
        let allowed = text.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
        }
        if text.isEmpty || text.utf8.count > maximumLength || !allowed {
            throw fail(path, .badName,
                       "\"\(text)\" is not a valid name: use 1 to \(maximumLength) characters of a-z, 0-9, '-', '_' or '.'")
        }
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
