import JunctionCore
import Posix

/// One line of the event log: when, which head, what, and one number.
///
/// Why this shape: signal-performance tools read controller logs as
/// (timestamp, event code, parameter) rows, the Indiana hi-resolution
/// enumerations; a row per change is what lets someone audit afterwards
/// exactly when each head went green. We keep those four columns, use the
/// Indiana codes where one means the same thing (begin green, begin
/// clearance, flash status, pattern change, clock update) and number our own
/// from 200. The time is the junction's timebase in nanoseconds, so lines
/// from different boards sort into one history. docs/EVENTS.md is the format.
public struct JunctionEvent: Sendable, Hashable {
    /// Position in the log that holds it: strictly increasing, the cursor of
    /// `/events?since=`. Assigned by `EventLog.append`.
    public var sequence: UInt64 = 0
    /// Timebase instant, ns; nil when the recorder had no timebase yet.
    public var timeNanos: Int64?
    /// `junction/group` for head events, else `-`.
    public var head: String
    public var code: EventCode
    public var parameter: Int64
    /// The agent the event concerns (its ordinal); nil for the coordinator's own.
    public var ordinal: Int?
    /// A few words for people (a state change's reason); never parsed.
    public var note: String

    public init(timeNanos: Int64?, head: String = "-", code: EventCode, parameter: Int64 = 0, ordinal: Int? = nil, note: String = "") {
        self.timeNanos = timeNanos
        self.head = head
        self.code = code
        self.parameter = parameter
        self.ordinal = ordinal
        self.note = note
    }

    /// The event an aspect change is recorded as.
    public static func aspect(_ aspect: Aspect, timeNanos: Int64?, head: String, group: Int?, ordinal: Int?, note: String = "") -> JunctionEvent {
        let code: EventCode = switch aspect {
        case .green: .beginGreen
        case .amber: .beginAmber
        case .red: .beginRed
        case .redAmber: .beginRedAmber
        case .off: .dark
        case .flashingAmber, .flashingRed: .flashStatus
        }
        let parameter: Int64 = switch aspect {
        case .flashingAmber: 1
        case .flashingRed: 2
        default: Int64((group ?? -1) + 1)
        }
        return JunctionEvent(timeNanos: timeNanos, head: head, code: code, parameter: parameter, ordinal: ordinal,
                             note: note.isEmpty ? aspect.description : note)
    }

    /// Whether this event announces a head's new aspect.
    public var isAspectChange: Bool {
        [EventCode.beginGreen, .beginAmber, .beginRed, .beginRedAmber, .dark, .flashStatus].contains(code)
    }

    /// One JSON object on one line, no trailing newline; fields in a fixed order.
    public var jsonLine: String {
        var line = "{\"seq\":\(sequence),\"time\":\(timeNanos.map { String($0) } ?? "null")"
        line += ",\"head\":\(LoggerEscaping.jsonString(head)),\"code\":\(code.rawValue),\"param\":\(parameter)"
        line += ",\"agent\":\(ordinal.map { String($0) } ?? "null"),\"name\":\"\(code.name)\",\"note\":\(LoggerEscaping.jsonString(note))}"
        return line
    }

    /// Parses a line written by `jsonLine`; nil for anything else.
    public init?(jsonLine: String) {
        guard let value = try? JSONParser.parse(Array(jsonLine.utf8)), case .object(let members) = value else { return nil }
        func member(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
        func integer(_ key: String) -> Int64? {
            if case .number(let text)? = member(key) { return Int64(text) }
            return nil
        }
        func string(_ key: String) -> String? {
            if case .string(let text)? = member(key) { return text }
            return nil
        }
        guard let sequence = integer("seq"), sequence >= 0, let raw = integer("code"), let code = UInt16(exactly: raw).map({ EventCode(rawValue: $0) }),
              let parameter = integer("param"), let head = string("head") else { return nil }
        self.sequence = UInt64(sequence)
        timeNanos = integer("time")
        self.head = head
        self.code = code
        self.parameter = parameter
        ordinal = integer("agent").map { Int($0) }
        note = string("note") ?? ""
    }
}

/// An event code: Indiana hi-resolution enumerations below 200, junction's own from 200.
public struct EventCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// Indiana 1, Phase Begin Green. Parameter: group number (1-based).
    public static let beginGreen = EventCode(1)
    /// Indiana 8, Phase Begin Yellow Clearance: amber. Parameter: group number.
    public static let beginAmber = EventCode(8)
    /// Indiana 10, Phase Begin Red Clearance: red. Parameter: group number.
    public static let beginRed = EventCode(10)
    /// Indiana 131, Coord Pattern Change: a plan takes effect at `time`.
    /// Parameter: the plan id's low 32 bits (the note has all 64, in hex).
    public static let planChange = EventCode(131)
    /// Indiana 173, Flash Status Change. Parameter: 1 flashing amber, 2 flashing red.
    public static let flashStatus = EventCode(173)
    /// Indiana 181, Controller Clock Updated: the agent's clock was stepped. Parameter: ns.
    public static let clockStepped = EventCode(181)
    /// Red and amber together (UK). Parameter: group number.
    public static let beginRedAmber = EventCode(200)
    /// All lamps dark. Parameter: group number.
    public static let dark = EventCode(201)
    /// An agent's synchronisation state changed. Parameter: the new `SyncState` raw value.
    public static let stateChange = EventCode(210)
    /// An agent follows another coordinator. Parameter: its term.
    public static let sourceChange = EventCode(211)
    /// A coordinator started serving (adopted or own timebase). Parameter: its term.
    public static let coordinatorServing = EventCode(212)
    /// An agent was heard for the first time. Parameter: its ordinal.
    public static let agentJoined = EventCode(213)
    /// An agent went silent and was forgotten. Parameter: its ordinal.
    public static let agentForgotten = EventCode(214)
    /// A junction was commanded to flash after conflicting greens. Parameter: 1.
    public static let flashCommanded = EventCode(215)
    /// A plan was refused. Parameter: 0.
    public static let planRefused = EventCode(216)
    /// A coordinator said goodbye. Parameter: its term.
    public static let coordinatorStopped = EventCode(217)
    /// A coordinator process started. Parameter: 0.
    public static let coordinatorStarted = EventCode(218)
    /// The followed coordinator runs another plan (or anchor): the head leaves the plan.
    public static let planMismatch = EventCode(219)
    /// The on-board signal monitor refused a change and took the safe path.
    public static let monitorTripped = EventCode(220)
    /// A change waited for the shown aspect's minimum, which began late. Parameter: the wait in µs.
    public static let lateChangeHeld = EventCode(221)
    /// Events were dropped from the ring before the reader got them. Parameter: how many.
    public static let eventsLost = EventCode(250)

    static let names: [UInt16: String] = [
        1: "begin-green", 8: "begin-amber", 10: "begin-red", 131: "plan-change", 173: "flash-status", 181: "clock-stepped",
        200: "begin-red-amber", 201: "dark", 219: "plan-mismatch", 220: "monitor-tripped", 221: "late-change-held", 210: "state-change", 211: "source-change", 212: "coordinator-serving",
        213: "agent-joined", 214: "agent-forgotten", 215: "flash-commanded", 216: "plan-refused", 217: "coordinator-stopped",
        218: "coordinator-started", 250: "events-lost",
    ]

    /// A stable short name (`begin-green`), or `code-N` for unknown codes.
    public var name: String { Self.names[rawValue] ?? "code-\(rawValue)" }
    public var description: String { name }
}
