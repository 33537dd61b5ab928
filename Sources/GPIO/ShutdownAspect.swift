import JunctionCore

/// What a head shows once junction lets go of it: on `close`, on SIGTERM and
/// at the moment the GPIO lines are first requested (the initial values).
///
/// Why only two choices: both are safe without a running controller. Dark
/// means "signals out of order" (drivers treat the junction as unsignalled);
/// red stops everyone. A flashing aspect needs a running process, and a
/// permissive one is never safe.
public enum ShutdownAspect: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case off
    case red

    public var aspect: Aspect {
        switch self {
        case .off: .off
        case .red: .red
        }
    }

    public var description: String { rawValue }

    /// Parses `off` or `red` (the CLI's `--shutdown` values).
    public init?(name: String) { self.init(rawValue: name) }
}
