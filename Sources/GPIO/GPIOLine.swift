/// One line of a GPIO chip, as the user names it.
///
/// Why both forms: on the Raspberry Pi header chip the offset equals the BCM
/// pin number (`17`), which is what wiring diagrams show, while names
/// (`GPIO17`) survive boards whose chip numbering differs.
public enum GPIOLine: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The line offset on the chip (BCM number on a Raspberry Pi).
    case offset(UInt32)
    /// The line name the chip reports, e.g. `GPIO17`.
    case name(String)

    public init(integerLiteral value: UInt32) { self = .offset(value) }

    /// Parses `17` as an offset and anything else (`GPIO17`) as a name.
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces()
        if trimmed.isEmpty { return nil }
        if let number = UInt32(trimmed) { self = .offset(number) } else { self = .name(trimmed) }
    }

    public var description: String {
        switch self {
        case .offset(let n): "\(n)"
        case .name(let s): s
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
