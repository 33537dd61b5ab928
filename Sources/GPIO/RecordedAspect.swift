import JunctionCore
import Posix

/// One line of a recording: `{"t":<CLOCK_MONOTONIC_RAW ns>,"head":"<name>","aspect":"<aspect>","tb":<timebase ns>}`
/// (`tb` absent on the lines a stop or a crash writes).
///
/// Why this clock: every process on a machine shares it, so multi-process
/// tests and benchmarks can merge recordings from several agents and measure
/// how far apart their heads changed; and no NTP daemon slews it, so an
/// amber of 3 s reads 3 s however the machine's `CLOCK_MONOTONIC` is being
/// pulled in (it is the clock the coordinator's timebase and the agents'
/// discipline run on). `monotonicNanos` is that reading: monotonic, raw.
///
/// `timebaseNanos` is where the agent put the change on the cluster's
/// timebase (on its own clock before it has one). Why: heads that change
/// apart were either apart in their clocks or late by different amounts;
/// with both numbers a recording tells which (`scripts/bench-cluster.py
/// lockstep` splits the skew so).
public struct RecordedAspect: Sendable, Hashable {
    public var monotonicNanos: Int64
    public var head: String
    public var aspect: Aspect
    public var timebaseNanos: Int64?

    public init(monotonicNanos: Int64, head: String, aspect: Aspect, timebaseNanos: Int64? = nil) {
        self.monotonicNanos = monotonicNanos
        self.head = head
        self.aspect = aspect
        self.timebaseNanos = timebaseNanos
    }

    /// The JSON line, without the trailing newline.
    public var jsonLine: String {
        "{\"t\":\(monotonicNanos),\"head\":\(LoggerEscaping.jsonString(head)),\"aspect\":\"\(aspect.description)\""
            + (timebaseNanos.map { ",\"tb\":\($0)}" } ?? "}")
    }

    /// Parses a line written by `jsonLine`; nil for anything else.
    public init?(jsonLine line: String) {
        var scanner = Substring(line)
        guard scanner.popFirst() == "{",
              scanner.removePrefixIfPresent("\"t\":"),
              let t = scanner.popInteger(),
              scanner.removePrefixIfPresent(",\"head\":"),
              let head = scanner.popJSONString(),
              scanner.removePrefixIfPresent(",\"aspect\":"),
              let name = scanner.popJSONString(),
              let aspect = Aspect(name: name)
        else { return nil }
        var timebase: Int64?
        if scanner.removePrefixIfPresent(",\"tb\":") {
            guard let tb = scanner.popInteger() else { return nil }
            timebase = tb
        }
        guard scanner == "}" || scanner == "}\n" else { return nil }
        self.init(monotonicNanos: t, head: head, aspect: aspect, timebaseNanos: timebase)
    }
}

private extension Substring {
    mutating func removePrefixIfPresent(_ prefix: String) -> Bool {
        guard hasPrefix(prefix) else { return false }
        removeFirst(prefix.count)
        return true
    }

    mutating func popInteger() -> Int64? {
        let digits = prefix { $0 == "-" || $0.isASCII && $0.isNumber }
        guard let value = Int64(digits) else { return nil }
        removeFirst(digits.count)
        return value
    }

    /// A JSON string with the escapes `LoggerEscaping.jsonString` writes.
    mutating func popJSONString() -> String? {
        guard popFirst() == "\"" else { return nil }
        var out = ""
        while let c = popFirst() {
            switch c {
            case "\"": return out
            case "\\":
                switch popFirst() {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u":
                    let hex = prefix(4)
                    guard hex.count == 4, let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else { return nil }
                    removeFirst(4)
                    out.unicodeScalars.append(s)
                default: return nil
                }
            default: out.append(c)
            }
        }
        return nil
    }
}
