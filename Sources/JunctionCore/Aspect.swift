/// What one signal head shows.
///
/// The raw values are part of the wire protocol (reports carry them) and of the
/// recording format, so they must never be renumbered.
public enum Aspect: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// All lamps dark: before start-up or after a configured shutdown.
    case off = 0
    case red = 1
    /// Red and amber together (the UK "prepare to go").
    case redAmber = 2
    case green = 3
    /// Amber alone: the clearance after green (US "yellow").
    case amber = 4
    /// Fail-safe: amber blinking at 1 Hz.
    case flashingAmber = 5
    /// Fail-safe: red blinking at 1 Hz.
    case flashingRed = 6

    /// True for the aspects that let traffic enter the junction.
    public var permitsEntry: Bool { self == .green }

    /// True for the two fail-safe flashing aspects.
    public var isFlashing: Bool { self == .flashingAmber || self == .flashingRed }

    /// Short stable name used in logs, JSON lines and the CLI.
    public var description: String {
        switch self {
        case .off: "off"
        case .red: "red"
        case .redAmber: "red-amber"
        case .green: "green"
        case .amber: "amber"
        case .flashingAmber: "flashing-amber"
        case .flashingRed: "flashing-red"
        }
    }

    /// Parses the names printed by `description`.
    public init?(name: String) {
        guard let match = Aspect.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }

    /// Which lamps of a three-lamp head are lit while this aspect is steady;
    /// flashing aspects give the lamps of their "on" half-period.
    public var lamps: Lamps {
        switch self {
        case .off: Lamps()
        case .red, .flashingRed: Lamps(red: true)
        case .redAmber: Lamps(red: true, amber: true)
        case .green: Lamps(green: true)
        case .amber, .flashingAmber: Lamps(amber: true)
        }
    }
}

/// The three lamps of a signal head.
public struct Lamps: Sendable, Hashable, CustomStringConvertible {
    public var red: Bool
    public var amber: Bool
    public var green: Bool

    public init(red: Bool = false, amber: Bool = false, green: Bool = false) {
        self.red = red
        self.amber = amber
        self.green = green
    }

    public var description: String {
        (red ? "R" : "-") + (amber ? "A" : "-") + (green ? "G" : "-")
    }
}
