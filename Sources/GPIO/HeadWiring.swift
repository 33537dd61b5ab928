import JunctionCore

/// How one signal head is wired to GPIO lines, and which line values show
/// which lamps.
///
/// Why two kinds: the classic build has one LED per lamp; cheap RGB modules
/// have no amber die, so amber is red and green lit together. Common-anode
/// parts light when the pin is low: `activeLow` asks the kernel to invert the
/// lines, so every value junction handles stays "true = lit".
public struct HeadWiring: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Three LEDs: lines are red, amber, green.
        case threeLamps = "three"
        /// One RGB LED: lines are red, green, blue; amber = red + green.
        case rgbModule = "rgb"
    }

    public var kind: Kind
    /// Three lines, in the order the kind documents.
    public var lines: [GPIOLine]
    public var activeLow: Bool

    /// Three LEDs; the defaults are BCM 2, 3, 4 as in the original Go program.
    public static func threeLamps(red: GPIOLine = 2, amber: GPIOLine = 3, green: GPIOLine = 4, activeLow: Bool = false) -> HeadWiring {
        HeadWiring(kind: .threeLamps, lines: [red, amber, green], activeLow: activeLow)
    }

    /// One RGB LED module; amber is shown as red and green together.
    public static func rgbModule(red: GPIOLine, green: GPIOLine, blue: GPIOLine, activeLow: Bool = false) -> HeadWiring {
        HeadWiring(kind: .rgbModule, lines: [red, green, blue], activeLow: activeLow)
    }

    /// The logical value (true = lit) of each line in `lines`, for `lamps`.
    public func lineValues(for lamps: Lamps) -> [Bool] {
        switch kind {
        case .threeLamps:
            [lamps.red, lamps.amber, lamps.green]
        case .rgbModule:
            [lamps.red || lamps.amber, lamps.green || lamps.amber, false]
        }
    }

    /// The aspect that line values show, read back from a predecessor's
    /// lamps. Conservative: any lit green counts as green (it is cleared
    /// through amber), an amber without red as amber.
    public func aspect(fromLineValues values: [Bool]) -> Aspect {
        guard values.count == 3 else { return .off }
        let red: Bool, amber: Bool, green: Bool
        switch kind {
        case .threeLamps:
            (red, amber, green) = (values[0], values[1], values[2])
        case .rgbModule:
            (red, amber, green) = (values[0] && !values[1], values[0] && values[1], values[1] && !values[0])
        }
        if green { return .green }
        if amber { return red ? .redAmber : .amber }
        return red ? .red : .off
    }

    /// The CLI flags that produce this wiring.
    public var description: String {
        "--wiring \(kind.rawValue) --pins \(lines.map(\.description).joined(separator: ","))" + (activeLow ? " --active-low" : "")
    }
}
