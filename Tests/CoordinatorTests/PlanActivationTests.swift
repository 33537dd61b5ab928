import JunctionCore
import Protocol
import Testing
@testable import Coordinator

/// The coordinator's plan identity: adoption from the agents (never
/// re-anchored), the file only schedules a change when its content differs,
/// and closed-loop activation.
@Suite("PlanActivation: adopted plans and closed-loop activation")
struct PlanActivationTests {
    let s = Int64.nanosPerSecond
    let crossroads = Array(ExamplePlans.crossroads.utf8)
    let edited = Array(ExamplePlans.crossroads.replacing(#""seconds": 12 }"#, with: #""seconds": 15 }"#).utf8)
    let plan: SignalPlan
    let editedPlan: SignalPlan
    var id: UInt64 { PlanID(planBytes: crossroads).rawValue }
    var editedID: UInt64 { PlanID(planBytes: edited).rawValue }
    /// The anchor the agents run: an activation long ago, not 0.
    let anchor = TimebaseInstant(nanos: 1_764_000_123 * Int64.nanosPerSecond)

    init() throws {
        plan = try SignalPlan.load(crossroads, source: "crossroads")
        editedPlan = try SignalPlan.load(edited, source: "edited")
    }

    func t(_ seconds: Int64) -> TimebaseInstant { anchor + 10_000 * s + seconds * s }
    func agent(_ plan: PlanIdentity, pending: PlanIdentity = .none, silent: Int64 = 0) -> PlanActivation.AgentPlans {
        .init(plan: plan, pending: pending, running: true, silentNanos: silent)
    }
    var running: PlanIdentity { PlanIdentity(id: id, anchor: anchor) }

    /// The defect: a replacement anchored its file's plan at 0, 2 s (or up
    /// to a cycle) off the agents that lived through the activation.
    @Test func aReplacementContinuesTheAgentsAnchor() {
        var activation = PlanActivation(plan: plan, bytes: crossroads)
        let event = activation.adopt([agent(running), agent(running), agent(PlanIdentity(id: id, anchor: TimebaseInstant(nanos: 0)))], at: t(0))
        #expect(event == .adopted(plan: running, pending: .none, fromAgents: 2))
        #expect(activation.schedule.current?.identity == running)
        // Restarting on the same file changes nothing.
        #expect(activation.update(at: t(0), agents: [agent(running)]).isEmpty)
        #expect(activation.tickFields(at: t(0)).plan == PlanRef(id: PlanID(rawValue: id), anchor: anchor))
        #expect(activation.schedule.pending == nil)
    }

    @Test func nothingToAdoptAnchorsTheFileAhead() {
        var activation = PlanActivation(plan: plan, bytes: crossroads)
        #expect(activation.adopt([], at: t(0)) == nil)
        let events = activation.update(at: t(0), agents: [])
        #expect(events == [.started(PlanIdentity(id: id, anchor: t(5)))], "now + lead, never 0")
    }

    /// The agents run a plan whose content this coordinator lacks (only the
    /// file's is known): nothing is adopted, and the file's plan starts afresh
    /// far enough ahead for every head to leave the old plan first.
    @Test func aPlanWhoseContentIsUnknownStartsAfresh() {
        var activation = PlanActivation(plan: editedPlan, bytes: edited)
        let pending = PlanIdentity(id: editedID, anchor: t(30))
        #expect(activation.adopt([agent(running, pending: pending)], at: t(0)) == nil)
        #expect(activation.schedule.current == nil)
        let events = activation.update(at: t(0), agents: [agent(running, pending: pending)])
        #expect(events == [.started(PlanIdentity(id: editedID, anchor: t(25)))], "lead plus the fresh-start margin")
    }

    /// The same, once the agents lent the running plan (protocol 3): it is
    /// continued at its anchor and the file's plan, pending on the agents,
    /// keeps the anchor the old coordinator announced.
    @Test func aPlanLearnedFromTheAgentsIsContinuedWithItsPending() throws {
        var activation = PlanActivation(plan: editedPlan, bytes: edited)
        let pending = PlanIdentity(id: editedID, anchor: t(30))
        let reports = [agent(running, pending: pending), agent(running, pending: pending)]
        #expect(activation.wantedContent(reports) == PlanID(rawValue: id))
        for chunk in try PlanChunk.split(planBytes: crossroads, id: PlanID(rawValue: id), activation: anchor) {
            _ = activation.receive(chunk)
        }
        #expect(activation.wantedContent(reports) == .none)
        #expect(activation.adopt(reports, at: t(0)) == .adopted(plan: running, pending: pending, fromAgents: 2))
        #expect(activation.schedule.current?.identity == running && activation.schedule.pending?.identity == pending)
        #expect(activation.update(at: t(0), agents: reports).isEmpty, "nothing re-anchored, nothing announced")
        #expect(activation.update(at: t(28), agents: reports) == [.committed(pending)])
    }

    /// The agents hold the file's plan as pending past its commit point: the
    /// old coordinator may have committed it, so it is honoured.
    @Test func anAdoptedPendingPastItsCommitPointIsHonoured() {
        var activation = PlanActivation(plan: plan, bytes: crossroads)
        let pending = PlanIdentity(id: id, anchor: t(1))
        let old = PlanIdentity(id: 99, anchor: anchor)
        // Agents run `old` (content unknown here) — not adoptable; with the
        // same content as current and pending it is.
        _ = activation.adopt([agent(old, pending: pending)], at: t(0))
        #expect(activation.schedule.current == nil)
        var same = PlanActivation(plan: plan, bytes: crossroads)
        _ = same.adopt([agent(running, pending: pending)], at: t(0))
        #expect(same.schedule.pending?.identity == pending)
        #expect(same.schedule.pendingCommitted)
    }

    /// Edit, acknowledgements missing at the commit point → a later anchor;
    /// acknowledged → committed 2 s before, activated at the anchor.
    @Test func closedLoopActivation() throws {
        var activation = PlanActivation(plan: plan, bytes: crossroads)
        _ = activation.adopt([agent(running)], at: t(0))
        activation.fileChanged(plan: editedPlan, bytes: edited)
        let events = activation.update(at: t(0), agents: [agent(running)])
        let first = try #require(activation.schedule.pending?.identity)
        #expect(events == [.announced(first, name: "crossroads")])
        #expect(first.id == editedID)
        let boundary = plan.cycleStart(junction: 0, atOrAfter: t(5), anchor: anchor)
        #expect(first.anchor == boundary + PlanSchedule.handoverHoldNanos(from: plan, to: editedPlan))
        #expect(!activation.tickFields(at: t(1)).committed)

        // One agent has not acknowledged at anchor − 2 s: announced again later.
        let commitPoint = first.anchor - 2 * s
        #expect(activation.update(at: commitPoint - 1, agents: [agent(running)]).isEmpty)
        let missing = activation.update(at: commitPoint, agents: [agent(running, pending: first), agent(running)])
        let second = try #require(activation.schedule.pending?.identity)
        #expect(missing == [.reannounced(old: first, new: second, missing: 1)])
        #expect(second.id == editedID && second.anchor > first.anchor)

        // Everyone acknowledges the new identity (the old one does not count).
        let stale = activation.update(at: second.anchor - 2 * s, agents: [agent(running, pending: first)])
        #expect(stale.first.map { if case .reannounced = $0 { true } else { false } } == true)
        let third = try #require(activation.schedule.pending?.identity)
        let acked = [agent(running, pending: third), agent(running, pending: third)]
        #expect(activation.update(at: third.anchor - 2 * s, agents: acked) == [.committed(third)])
        #expect(activation.tickFields(at: third.anchor - s).committed)
        #expect(activation.update(at: third.anchor, agents: acked) == [.activated(third)])
        #expect(activation.schedule.current?.identity == third && activation.schedule.pending == nil)
        #expect(activation.tickFields(at: third.anchor).plan == PlanRef(id: PlanID(rawValue: editedID), anchor: third.anchor))
        // An agent of an offset junction still in its handover is not sent plans again.
        #expect(!activation.needsPlans(plan: running, pending: third))
        #expect(activation.needsPlans(plan: running, pending: .none))
    }

    /// A green wave's junctions hand over at their own cycle starts, up to a
    /// cycle after the anchor. Until the last has, an agent that holds no
    /// plan (a board that joins or restarts then) is not given the new plan
    /// alone: it would run it from the anchor at a junction still in the
    /// old one (random scenario 1774: a green where the plan had none).
    @Test func noPlanAloneUntilEveryJunctionHandedOver() throws {
        let wave = Array(ExamplePlans.corridor.utf8)
        let waveEdited = Array(ExamplePlans.corridor.replacing(#""seconds": 30"#, with: #""seconds": 34"#).utf8)
        #expect(wave != waveEdited)
        let old = try SignalPlan.load(wave, source: "corridor"), new = try SignalPlan.load(waveEdited, source: "edited")
        var activation = PlanActivation(plan: old, bytes: wave)
        let runningWave = PlanIdentity(id: PlanID(planBytes: wave).rawValue, anchor: anchor)
        _ = activation.adopt([agent(runningWave)], at: t(0))
        activation.fileChanged(plan: new, bytes: waveEdited)
        _ = activation.update(at: t(0), agents: [agent(runningWave)])
        let pending = try #require(activation.schedule.pending?.identity)
        #expect(activation.update(at: pending.anchor - 2 * s, agents: [agent(runningWave, pending: pending)]) == [.committed(pending)])
        #expect(activation.update(at: pending.anchor, agents: [agent(runningWave, pending: pending)]) == [.activated(pending)])
        let end = try #require(activation.handoverEndsAt)
        #expect(end > pending.anchor, "offset junctions hand over later")
        #expect(end - pending.anchor <= old.cycleNanos + PlanSchedule.handoverHoldNanos(from: old, to: new) + new.cycleNanos)
        #expect(!activation.mayGiveCurrentAlone(at: pending.anchor))
        #expect(!activation.mayGiveCurrentAlone(at: end - 1))
        #expect(activation.mayGiveCurrentAlone(at: end))
    }

    /// An edit inside the lead window gets its own announcement (and acks).
    @Test func anEditInsideTheLeadWindowIsAnnouncedAfresh() throws {
        var activation = PlanActivation(plan: plan, bytes: crossroads)
        _ = activation.adopt([agent(running)], at: t(0))
        activation.fileChanged(plan: editedPlan, bytes: edited)
        _ = activation.update(at: t(0), agents: [agent(running)])
        let first = try #require(activation.schedule.pending?.identity)
        let again = Array(ExamplePlans.crossroads.replacing(#""seconds": 7 }"#, with: #""seconds": 9 }"#).utf8)
        activation.fileChanged(plan: try SignalPlan.load(again, source: "again"), bytes: again)
        let events = activation.update(at: t(2), agents: [agent(running, pending: first)])
        let second = try #require(activation.schedule.pending?.identity)
        #expect(second.id == PlanID(planBytes: again).rawValue)
        #expect(events == [.announced(second, name: "crossroads")])
        // The old acknowledgement does not commit the new announcement.
        let next = activation.update(at: second.anchor - 2 * s, agents: [agent(running, pending: first)])
        #expect(next.first.map { if case .reannounced = $0 { true } else { false } } == true)
        // Reverting the file to the running plan withdraws the announcement.
        activation.fileChanged(plan: plan, bytes: crossroads)
        let withdrawn = activation.update(at: t(3), agents: [agent(running)])
        #expect(withdrawn.count == 1 && activation.schedule.pending == nil)
    }

    /// An agent that ran the plan and fell silent (partitioned) may still run
    /// it: no commit until it is heard again or the horizon has passed.
    @Test func aSilentRunningAgentHoldsTheCommit() throws {
        var activation = PlanActivation(plan: plan, bytes: crossroads)
        _ = activation.adopt([agent(running)], at: t(0))
        activation.fileChanged(plan: editedPlan, bytes: edited)
        _ = activation.update(at: t(0), agents: [agent(running)])
        let first = try #require(activation.schedule.pending?.identity)
        let partitioned = agent(running, silent: 10 * s)
        let events = activation.update(at: first.anchor - 2 * s, agents: [agent(running, pending: first), partitioned])
        #expect(events.first.map { if case .reannounced = $0 { true } else { false } } == true)
        let second = try #require(activation.schedule.pending?.identity)
        let gone = agent(running, silent: PlanRules.horizonNanos)
        #expect(activation.update(at: second.anchor - 2 * s, agents: [agent(running, pending: second), gone]) == [.committed(second)])
    }
}
