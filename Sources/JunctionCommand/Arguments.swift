import Posix

/// A usage mistake on the command line; the message says what to type instead.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A failure while running a command (bad file, bad plan, socket error).
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Command-line options: `--name value`, `--name=value`, `--flag`, and
/// positional words, each option with an optional `JUNCTION_*` environment
/// fallback. Unknown options are refused, so a typo is never ignored.
struct Arguments {
    private(set) var positional: [String] = []
    private var values: [String: String] = [:]
    /// Every value of each option, in order, for repeatable options.
    private var allValues: [String: [String]] = [:]
    private var flags: Set<String> = []
    let command: String

    /// `valueOptions` take a value; `flagOptions` do not.
    init(_ words: [String], command: String, valueOptions: Set<String>, flagOptions: Set<String>) throws(UsageError) {
        self.command = command
        var i = 0
        while i < words.count {
            let word = words[i]
            if word == "--help" || word == "-h" {
                flags.insert("help")
            } else if word.hasPrefix("--") {
                var name = String(word.dropFirst(2))
                var inline: String?
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                if valueOptions.contains(name) {
                    let value: String
                    if let inline {
                        value = inline
                    } else {
                        guard i + 1 < words.count else { throw UsageError(message: "\(command): --\(name) needs a value") }
                        value = words[i + 1]
                        i += 1
                    }
                    values[name] = value
                    allValues[name, default: []].append(value)
                } else if flagOptions.contains(name) && inline == nil {
                    flags.insert(name)
                } else {
                    throw UsageError(message: "\(command): unknown option --\(name) (see '\(command) --help')")
                }
            } else {
                positional.append(word)
            }
            i += 1
        }
    }

    var wantsHelp: Bool { flags.contains("help") }

    func flag(_ name: String, environment: String? = nil) -> Bool {
        if flags.contains(name) { return true }
        if let environment, let value = FileIO.environment(environment) { return ["1", "true", "yes"].contains(value.lowercased()) }
        return false
    }

    /// An option's value, else the environment variable's, else nil.
    func value(_ name: String, environment: String? = nil) -> String? {
        if let v = values[name] { return v }
        if let environment, let v = FileIO.environment(environment), !v.isEmpty { return v }
        return nil
    }

    /// Every value of a repeatable option (each may also be a comma list),
    /// else the environment variable's comma list, else empty.
    func list(_ name: String, environment: String? = nil) -> [String] {
        let given = allValues[name] ?? environment.flatMap { FileIO.environment($0) }.map { [$0] } ?? []
        return given.flatMap { $0.split(separator: ",").map { String($0).trimmingSpaces() } }.filter { !$0.isEmpty }
    }

    /// Whether the option was given on the command line (not the environment).
    func given(_ name: String) -> Bool { values[name] != nil }

    func string(_ name: String, environment: String? = nil, default fallback: String) -> String {
        value(name, environment: environment) ?? fallback
    }

    func integer(_ name: String, environment: String? = nil, default fallback: Int, range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = value(name, environment: environment) else { return fallback }
        guard let v = Int(text), range.contains(v) else {
            throw UsageError(message: "\(command): --\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return v
    }

    func double(_ name: String, environment: String? = nil, default fallback: Double, range: ClosedRange<Double>) throws(UsageError) -> Double {
        guard let text = value(name, environment: environment) else { return fallback }
        guard let v = Double(text), range.contains(v) else {
            throw UsageError(message: "\(command): --\(name) must be a number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return v
    }
}


extension String {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
