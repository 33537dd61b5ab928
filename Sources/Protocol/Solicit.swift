/// A coordinator asking an agent for a report at once.
///
/// An adopting coordinator sends one to every agent address DNS lists
/// (recipient = the agent's instance when known, else 0), every 200 ms. The
/// agent answers at once, to the address the solicit came from (at most once
/// per coordinator per 50 ms), with a report addressed to `coordinatorID` that
/// carries `solicitNonce = nonce`. The nonce, fresh per round, is what makes
/// an answer young: a coordinator takes adoption samples only from answers to
/// a nonce it issued in the last 2 s.
///
/// A coordinator that lacks the content of the plan the agents run (its file
/// was edited, or an edit was pending when its predecessor died) names that
/// plan in `wantedPlan`; an agent holding it sends its chunks with the
/// answer, addressed to the coordinator. The cluster remembers the plan as it
/// remembers the time.
public struct Solicit: Sendable, Hashable {
    /// The soliciting coordinator (the id answers are addressed to).
    public var coordinatorID: UInt64
    /// The term it serves, or 0 while it is adopting.
    public var term: UInt64
    /// Random per solicitation round, never 0 (0 in a report means "not an
    /// answer").
    public var nonce: UInt64
    /// The plan whose content the coordinator asks this agent for (`.none`:
    /// none). Asked of a few agents at a time, so a large cluster does not
    /// answer a round with thousands of copies.
    public var wantedPlan: PlanID

    public init(coordinatorID: UInt64, term: UInt64, nonce: UInt64, wantedPlan: PlanID = .none) {
        self.coordinatorID = coordinatorID
        self.term = term
        self.nonce = nonce
        self.wantedPlan = wantedPlan
    }
}

// MARK: Wire

extension Solicit {
    func validate() throws(MessageError) {
        guard nonce != 0 else { throw .zeroNonce }
    }

    func encode(into writer: inout WireWriter) {
        writer.u64(coordinatorID)
        writer.u64(term)
        writer.u64(nonce)
        writer.u64(wantedPlan.rawValue)
    }

    init(from reader: inout WireReader) throws(DropReason) {
        coordinatorID = try reader.u64()
        term = try reader.u64()
        nonce = try reader.u64()
        guard nonce != 0 else { throw .badField }
        wantedPlan = PlanID(rawValue: try reader.u64())
    }
}
