import JunctionCore
import Protocol

/// Watches for heads whose agent has gone silent, and stops their junction.
///
/// Why: an agent that stops reporting may have died where no code runs
/// (SIGKILL, the OOM killer, a wedged board), and the Raspberry Pi kernel
/// keeps driving its last lamp: it may be frozen on green while the rest of
/// its junction cycles on, and a conflicting head would then show green
/// against it. So once a head that reported before has been silent for
/// `silentHeadNanos`, every other head of its junction is commanded to
/// flashing red (tick command `.stop`) until it reports again; they then
/// re-enter the plan together at the junction's cycle start (all-red).
///
/// Heads are known by what they light (board, else ordinal), not by agent
/// process: a restarted agent of the same head ends the stop by reporting.
/// A head is forgotten only with its agent (`forget`), after the
/// coordinator's `forgetAgentAfterNanos`.
public struct SilentHeadWatch: Sendable {
    /// A physical head: its board if it names one, else its ordinal.
    public struct HeadKey: Sendable, Hashable, CustomStringConvertible {
        public var board: String
        public var ordinal: UInt32

        public init(board: String, ordinal: UInt32) {
            self.board = board
            self.ordinal = board.isEmpty ? ordinal : 0
        }

        public var description: String { board.isEmpty ? "ordinal \(ordinal)" : "board \(board)" }
    }

    /// No report for this long: the head may be frozen (15 agent report
    /// intervals of 100 ms: a burst of loss does not stop a junction).
    public var silentHeadNanos: Int64
    private var lastHeard: [HeadKey: (junction: String, at: LocalInstant)] = [:]
    /// Junctions with a silent head, as of the last `refresh`.
    public private(set) var stoppedJunctions: [String: [HeadKey]] = [:]

    public init(silentHeadNanos: Int64 = 1_500 * .nanosPerMillisecond) {
        self.silentHeadNanos = silentHeadNanos
    }

    /// Records a report; one without a head takes the head off the watch.
    public mutating func reported(_ report: Report, at now: LocalInstant) {
        let key = HeadKey(board: report.board, ordinal: report.ordinal)
        if let head = report.head {
            lastHeard[key] = (head.junction, now)
            if stoppedJunctions[head.junction]?.contains(key) == true { stoppedJunctions[head.junction]?.removeAll { $0 == key } }
            if stoppedJunctions[head.junction]?.isEmpty == true { stoppedJunctions[head.junction] = nil }
        } else {
            lastHeard[key] = nil
        }
    }

    /// Forgets a head whose agent the coordinator forgot.
    public mutating func forget(board: String, ordinal: UInt32) {
        lastHeard[HeadKey(board: board, ordinal: ordinal)] = nil
    }

    /// Recomputes which junctions are stopped; returns the heads newly found
    /// silent. O(heads): call it once per tick round, not per tick.
    @discardableResult
    public mutating func refresh(at now: LocalInstant) -> [(head: HeadKey, junction: String)] {
        var stopped: [String: [HeadKey]] = [:]
        var newlySilent: [(HeadKey, String)] = []
        for (key, heard) in lastHeard where now - heard.at > silentHeadNanos {
            stopped[heard.junction, default: []].append(key)
            if stoppedJunctions[heard.junction]?.contains(key) != true { newlySilent.append((key, heard.junction)) }
        }
        stoppedJunctions = stopped
        return newlySilent
    }

    /// The command for a head of `junction`: `.stop` while a head of it is silent.
    public func command(forJunction junction: String) -> TickCommand {
        stoppedJunctions[junction] == nil ? .run : .stop
    }
}
