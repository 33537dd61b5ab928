/// Everything that travels between coordinator and agents.
public enum Message: Sendable, Hashable {
    /// Coordinator → agent: timebase, plans in force, command, echo.
    case tick(Tick)
    /// Coordinator → agent: one piece of a plan file; agent → coordinator
    /// when a solicit asks for a plan the coordinator lacks.
    case plan(PlanChunk)
    /// Agent → coordinator: clock estimate, plans, aspect, counters.
    case report(Report)
    /// Agent → coordinator, on start.
    case hello(Hello)
    /// Coordinator → agents, on graceful stop.
    case goodbye(Goodbye)
    /// Coordinator → agent: "report to me now" (discovery and adoption), and
    /// "send me this plan" when it lacks the one the agents run.
    case solicit(Solicit)
}

/// A decoded datagram: who sent it, its place in the sender's sequence, whom
/// it is for, and the message. `senderID` is random per process and
/// `sequence` counts up from 1 per sender; together they drive replay
/// protection. `recipientID` (0 = any) binds the datagram to one receiving
/// process, under the tag.
public struct Envelope: Sendable, Hashable {
    public var senderID: UInt64
    public var sequence: UInt64
    public var recipientID: UInt64
    public var message: Message

    public init(senderID: UInt64, sequence: UInt64, recipientID: UInt64 = Wire.anyRecipient, message: Message) {
        self.senderID = senderID
        self.sequence = sequence
        self.recipientID = recipientID
        self.message = message
    }
}

// MARK: Wire

extension Message {
    var wireType: Wire.MessageType {
        switch self {
        case .tick: .tick
        case .plan: .planChunk
        case .report: .report
        case .hello: .hello
        case .goodbye: .goodbye
        case .solicit: .solicit
        }
    }

    func validate() throws(MessageError) {
        switch self {
        case .goodbye: return
        case let .tick(tick): try tick.validate()
        case let .plan(chunk): try chunk.validate()
        case let .report(report): try report.validate()
        case let .hello(hello): try hello.validate()
        case let .solicit(solicit): try solicit.validate()
        }
    }

    func encodeBody(into writer: inout WireWriter) {
        switch self {
        case let .tick(tick): tick.encode(into: &writer)
        case let .plan(chunk): chunk.encode(into: &writer)
        case let .report(report): report.encode(into: &writer)
        case let .hello(hello): hello.encode(into: &writer)
        case let .goodbye(goodbye): goodbye.encode(into: &writer)
        case let .solicit(solicit): solicit.encode(into: &writer)
        }
    }

    init(type: Wire.MessageType, from reader: inout WireReader) throws(DropReason) {
        switch type {
        case .tick: self = .tick(try Tick(from: &reader))
        case .planChunk: self = .plan(try PlanChunk(from: &reader))
        case .report: self = .report(try Report(from: &reader))
        case .hello: self = .hello(try Hello(from: &reader))
        case .goodbye: self = .goodbye(try Goodbye(from: &reader))
        case .solicit: self = .solicit(try Solicit(from: &reader))
        }
    }
}
