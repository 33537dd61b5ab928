/// Builds a `/metrics` body in the Prometheus text exposition format 0.0.4.
///
/// Why a builder: samples of one metric must be grouped under a single `# HELP`
/// and `# TYPE` line, and label values must be escaped (`\`, `"`, newline) or
/// one odd head name breaks the whole scrape. Pure: the caller reads its
/// counters, adds them here and serves `text`.
///
/// ```swift
/// var metrics = PrometheusText()
/// metrics.counter("junction_ticks_received_total", help: "Phase ticks received.", value: 42)
/// metrics.gauge("junction_offset_seconds", help: "Estimated offset.", value: 0.0003, labels: ["head": "north"])
/// let body = metrics.text
/// ```
public struct PrometheusText: Sendable {
    public enum MetricType: String, Sendable, Hashable {
        case counter
        case gauge
    }

    private struct Family: Sendable {
        var name: String
        var type: MetricType
        var help: String
        var samples: [String] = []
    }

    private var families: [Family] = []

    public init() {}

    /// Adds a sample of a monotonically increasing count.
    public mutating func counter(_ name: String, help: String, value: Double, labels: KeyValuePairs<String, String> = [:]) {
        add(name, type: .counter, help: help, value: value, labels: labels.map { ($0.key, $0.value) })
    }

    /// Adds a sample of a value that can go up and down.
    public mutating func gauge(_ name: String, help: String, value: Double, labels: KeyValuePairs<String, String> = [:]) {
        add(name, type: .gauge, help: help, value: value, labels: labels.map { ($0.key, $0.value) })
    }

    /// Adds one sample; samples of the same name are grouped under one header
    /// in first-seen order. Names come from code, so an invalid name or a
    /// type that changes between samples is a programmer error and traps.
    public mutating func add(_ name: String, type: MetricType, help: String, value: Double, labels: [(String, String)]) {
        precondition(Self.isValidName(name, allowColon: true), "invalid Prometheus metric name '\(name)'")
        for (key, _) in labels {
            precondition(Self.isValidName(key, allowColon: false) && !key.hasPrefix("__"), "invalid Prometheus label name '\(key)' on \(name)")
        }
        let labelText = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(Self.escapeLabelValue($0.1))\"" }.joined(separator: ",") + "}"
        let sample = "\(name)\(labelText) \(Self.format(value))"
        if let index = families.firstIndex(where: { $0.name == name }) {
            precondition(families[index].type == type, "metric \(name) added as \(families[index].type) and as \(type)")
            families[index].samples.append(sample)
        } else {
            families.append(Family(name: name, type: type, help: help, samples: [sample]))
        }
    }

    /// The exposition text, ending in a newline (empty when nothing was added).
    public var text: String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(Self.escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.type.rawValue)\n"
            for sample in family.samples { out += sample + "\n" }
        }
        return out
    }

    /// `\` → `\\`, `"` → `\"`, newline → `\n`, as the format requires.
    static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// HELP text escapes only `\` and newline.
    static func escapeHelp(_ help: String) -> String {
        var out = ""
        for c in help.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Integers without a fraction, `NaN`, `+Inf`, `-Inf`, else Swift's
    /// shortest round-tripping form.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
        return String(value)
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` (metric names) or without `:` (label names).
    static func isValidName(_ name: String, allowColon: Bool) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        func letter(_ s: Unicode.Scalar) -> Bool { (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || s == "_" || (allowColon && s == ":") }
        return letter(first) && name.unicodeScalars.allSatisfy { letter($0) || ($0 >= "0" && $0 <= "9") }
    }
}
