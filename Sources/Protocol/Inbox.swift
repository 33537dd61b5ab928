import JunctionCore

/// Everything a receiver does to a datagram before its core sees the message:
/// open (authenticate and decode), refuse stale ticks and goodbyes, refuse
/// datagrams addressed to another process, refuse replays, and count every
/// drop by reason.
///
/// A value type with no clock: the caller passes its current timebase
/// estimate, or nil when it has none (a freshly started agent), in which case
/// only the recipient binding and the replay window protect it. The binding
/// is what keeps a recorded tick from an agent's previous run (or meant for
/// another agent) out: ticks must name this process's random `localID`.
public struct Inbox: Sendable {
    /// The default freshness bound: 10 seconds.
    public static let defaultMaximumSkewNanos: Int64 = 10 * .nanosPerSecond

    public let codec: DatagramCodec
    /// This receiver's id, random per process: an agent's `instance`, a
    /// coordinator's `id`. Datagrams addressed elsewhere are `misaddressed`.
    public let localID: UInt64
    /// How far a tick's or goodbye's `sentAt` may be from the receiver's
    /// timebase estimate, either way.
    public let maximumSkewNanos: Int64
    public private(set) var replayWindow: ReplayWindow
    /// Every datagram refused so far, per reason.
    public private(set) var drops = DropCounters()

    public init(
        codec: DatagramCodec, localID: UInt64, maximumSkewNanos: Int64 = Inbox.defaultMaximumSkewNanos,
        replayWindow: ReplayWindow = ReplayWindow()
    ) {
        precondition(maximumSkewNanos >= 0, "the freshness bound cannot be negative")
        self.codec = codec
        self.localID = localID
        self.maximumSkewNanos = maximumSkewNanos
        self.replayWindow = replayWindow
    }

    /// Accepts a datagram and returns its envelope, or counts and returns the
    /// reason it was refused.
    public mutating func receive(_ datagram: [UInt8], timebaseEstimate: TimebaseInstant?) -> Result<Envelope, DropReason> {
        datagram.withUnsafeBytes { receive($0, timebaseEstimate: timebaseEstimate) }
    }

    /// As `receive(_:timebaseEstimate:)`, reading the datagram in place.
    public mutating func receive(_ datagram: UnsafeRawBufferPointer, timebaseEstimate: TimebaseInstant?) -> Result<Envelope, DropReason> {
        admit(codec.open(datagram), timebaseEstimate: timebaseEstimate)
    }

    /// As `receive(_:timebaseEstimate:)` for a datagram already opened with
    /// this inbox's codec (`codec.open`), elsewhere: a runtime authenticates
    /// outside the lock its timing thread takes, then admits here.
    public mutating func admit(_ opened: Result<Envelope, DropReason>, timebaseEstimate: TimebaseInstant?) -> Result<Envelope, DropReason> {
        let result = check(opened, timebaseEstimate: timebaseEstimate)
        if case let .failure(reason) = result { drops.record(reason) }
        return result
    }

    /// Counts a drop found outside the inbox (e.g. by the plan assembler), so
    /// one set of counters goes into reports.
    public mutating func record(_ reason: DropReason) { drops.record(reason) }

    /// Whether a datagram with `recipientID` carrying `message` is for this
    /// receiver: addressed to `localID`, or to 0 (any) when its type may be
    /// unaddressed (hello, report, solicit).
    public func isAddressedHere(_ envelope: Envelope) -> Bool {
        envelope.recipientID == Wire.anyRecipient
            ? envelope.message.wireType.mayBeUnaddressed
            : envelope.recipientID == localID
    }

    /// After the codec (size, header, tag, body): freshness, recipient, then
    /// replay, so that neither a stale nor a misaddressed datagram uses up
    /// its sequence number.
    private mutating func check(_ opened: Result<Envelope, DropReason>, timebaseEstimate: TimebaseInstant?) -> Result<Envelope, DropReason> {
        guard case let .success(envelope) = opened else { return opened }
        if let timebaseEstimate, let sentAt = envelope.message.timebaseSentAt {
            let skew = sentAt.nanos.subtractingReportingOverflow(timebaseEstimate.nanos)
            if skew.overflow || skew.partialValue.magnitude > UInt64(maximumSkewNanos) { return .failure(.stale) }
        }
        guard isAddressedHere(envelope) else { return .failure(.misaddressed) }
        guard replayWindow.admit(sender: envelope.senderID, sequence: envelope.sequence) else {
            return .failure(.replayed)
        }
        return opened
    }
}

extension Message {
    /// The sender's timebase at sending, for the messages checked for
    /// freshness (those a coordinator sends with its timebase).
    var timebaseSentAt: TimebaseInstant? {
        switch self {
        case let .tick(tick): tick.sentAt
        case let .goodbye(goodbye): goodbye.sentAt
        case .plan, .report, .hello, .solicit: nil
        }
    }
}
