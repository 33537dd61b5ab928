import JunctionCore

/// Reading members of parsed JSON in the tests (the command has its own).
extension JSONValue {
    func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    func string(_ key: String) -> String? {
        if case .string(let s)? = member(key) { return s }
        return nil
    }

    func integer(_ key: String) -> Int64? {
        if case .number(let n)? = member(key) { return Int64(n) }
        return nil
    }

    var elements: [JSONValue] {
        if case .array(let list) = self { return list }
        return []
    }
}
