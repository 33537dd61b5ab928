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
/// flashing red (tick command `.stop`) until it reports again showing an
/// aspect that admits no traffic (a restarted agent first clears a retained
/// green through amber); they then re-enter the plan together at the
/// junction's cycle start (all-red).
///
/// Only a head that goes quiet while the rest of its junction keeps
/// reporting stops it: when a whole junction goes quiet together (a
/// partition, or trouble on the coordinator's side) the coordinator cannot
/// tell a death among them, and stopping the survivors as they come back
/// would only flash a junction that ran correctly in holdover (the double
/// fault, README).
///
/// A graceful stop is not a death: an agent stopped by SIGTERM (a rolling
/// update, `kubectl delete pod`) says so in its last report (`stopped`),
/// with the aspect its lamp keeps until a successor starts. A head stopped
/// on steady red is not frozen on green, so its silence stops nothing and
/// the rest of its junction keeps running the plan. Stopped dark (`off`),
/// or on any other aspect, it stops the junction as a silent head does: a
/// dark approach beside running greens is not safe.
///
/// Heads are known by what they light (board, else ordinal), not by agent
/// process: a restarted agent of the same head ends the stop by reporting.
/// A head is forgotten only with its agent (`forget`), after the
/// coordinator's `forgetAgentAfterNanos`, and a head that stops its
/// junction not even then: silent, it may be lit green.
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
    private struct Heard {
        var junction: String
        var at: LocalInstant
        var instance: UInt64
        /// Decided once, when the silence first passes the threshold: did
        /// the rest of the junction keep reporting meanwhile (this head went
        /// quiet alone: it stops the junction), or did the whole junction go
        /// quiet together (a partition or an outage on the coordinator's
        /// side: the double fault, not a silent head)?
        var stopsJunction: Bool?
        /// Its last report said the agent stopped gracefully with its lamp
        /// on steady red: its silence is safe.
        var stoppedOnRed = false
    }
    private var heard: [HeadKey: Heard] = [:]
    /// Silence counts from no earlier than this: when this coordinator
    /// began to serve. Before its first ticks the agents know it only from
    /// its solicits and, late, from DNS, so a head heard while it adopted
    /// had no way to report to it since; judged from that answer, a new
    /// coordinator whose first ticks or the answers to them were lost
    /// stopped a live head's junction half a second after it took over.
    private var watchingSince: LocalInstant?
    /// Junctions with a silent head, as of the last `refresh`.
    public private(set) var stoppedJunctions: [String: [HeadKey]] = [:]

    public init(silentHeadNanos: Int64 = 1_500 * .nanosPerMillisecond) {
        self.silentHeadNanos = silentHeadNanos
    }

    /// Records a report. A head stopping its junction ends the stop by
    /// reporting, except a restarted agent (another instance) whose lamp
    /// still shows green or amber (it clears a retained green first) or that
    /// does not know its head yet. A report without a head otherwise takes
    /// the head off the watch. After an agent's last word (`stopped`), a
    /// report of the same agent without it can only be an older one that
    /// arrived late: it is ignored.
    public mutating func reported(_ report: Report, at now: LocalInstant) {
        let key = HeadKey(board: report.board, ordinal: report.ordinal)
        if let old = heard[key], old.stopsJunction == true, old.instance != report.instance,
           report.head.map({ $0.aspect == .green || $0.aspect == .amber }) ?? true {
            return
        }
        if let old = heard[key], old.stoppedOnRed, old.instance == report.instance, !report.stopped {
            return
        }
        if let head = report.head {
            heard[key] = Heard(junction: head.junction, at: now, instance: report.instance,
                               stoppedOnRed: report.stopped && head.aspect == .red)
            if stoppedJunctions[head.junction]?.contains(key) == true { stoppedJunctions[head.junction]?.removeAll { $0 == key } }
            if stoppedJunctions[head.junction]?.isEmpty == true { stoppedJunctions[head.junction] = nil }
        } else {
            heard[key] = nil
        }
    }

    /// Starts the silence of every head heard so far at `now` (the
    /// coordinator begins to serve).
    public mutating func startWatching(at now: LocalInstant) {
        watchingSince = now
    }

    /// Forgets a head whose agent the coordinator forgot, unless the head
    /// stops its junction: an agent gone from DNS (its pod deleted, or the
    /// StatefulSet scaled down, after a death that left its lamp lit) says
    /// nothing about the lamp, which is presumed green until a head of that
    /// board or ordinal reports again.
    public mutating func forget(board: String, ordinal: UInt32) {
        let key = HeadKey(board: board, ordinal: ordinal)
        guard heard[key]?.stopsJunction != true else { return }
        heard[key] = nil
    }

    /// Recomputes which junctions are stopped; returns the heads newly found
    /// silent. O(heads): call it once per tick round, not per tick.
    @discardableResult
    public mutating func refresh(at now: LocalInstant) -> [(head: HeadKey, junction: String)] {
        var latest: [String: LocalInstant] = [:]
        for entry in heard.values { latest[entry.junction] = max(latest[entry.junction] ?? entry.at, entry.at) }
        var stopped: [String: [HeadKey]] = [:]
        var newlySilent: [(HeadKey, String)] = []
        for (key, entry) in heard {
            let quietSince = max(entry.at, watchingSince ?? entry.at)
            guard now - quietSince > silentHeadNanos, !entry.stoppedOnRed else { continue }
            if entry.stopsJunction == nil {
                // Others reported for at least half the threshold after it
                // went quiet (a whole junction cut off goes quiet within a
                // report interval or two).
                let stops = (latest[entry.junction] ?? quietSince) - quietSince > silentHeadNanos / 2
                heard[key]?.stopsJunction = stops
                if stops { newlySilent.append((key, entry.junction)) }
            }
            if heard[key]?.stopsJunction == true { stopped[entry.junction, default: []].append(key) }
        }
        stoppedJunctions = stopped
        return newlySilent
    }

    /// The command for a head of `junction`: `.stop` while a head of it is silent.
    public func command(forJunction junction: String) -> TickCommand {
        stoppedJunctions[junction] == nil ? .run : .stop
    }
}
