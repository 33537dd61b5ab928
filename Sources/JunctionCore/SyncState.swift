/// Where an agent stands in following the coordinator timebase.
///
/// The raw values travel in reports; never renumber them.
public enum SyncState: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No usable time yet: the head shows the safe start-up aspect.
    case unsynced = 0
    /// Samples are arriving; the estimate is not yet good enough to show the plan.
    case locking = 1
    /// Following the timebase within the safe error bound: the plan is shown.
    case locked = 2
    /// Ticks stopped; running on the learned frequency while the bound stays safe.
    case holdover = 3
    /// The error bound (or the plan) is no longer safe: the fail-safe flash is shown.
    case flash = 4

    public var description: String {
        switch self {
        case .unsynced: "unsynced"
        case .locking: "locking"
        case .locked: "locked"
        case .holdover: "holdover"
        case .flash: "flash"
        }
    }
}
