import JunctionCore
import Protocol

/// Plans a coordinator learned from the agents: the content of a plan the
/// junction runs that its own plan file does not hold.
///
/// Why it exists: a replacement coordinator reads only the plan file, and
/// the file may already hold the next plan (edited while no coordinator ran,
/// or an edit still pending when the predecessor died). Lacking the running
/// plan's content it could not continue that plan and had to start the
/// file's afresh, which took every head out of the plan for flashing red for
/// up to 25 s. The agents hold the content: a solicit's `wantedPlan` asks a
/// few of them, and this type puts their chunks together, checks them
/// against the plan's id (SHA-256 of the bytes, under the datagrams' tags)
/// and validates the plan as the file would be. A plan that fails is
/// remembered as refused, so it is not asked for again.
///
/// Bounded: the assembler holds at most two partial plans, and at most
/// `capacity` learned plans are kept (the oldest is forgotten).
public struct PlanLibrary: Sendable {
    /// What one chunk did.
    public enum Outcome: Sendable, Hashable {
        /// Stored, or a copy of what is already known.
        case pending
        /// The last missing chunk: the plan, checked and valid.
        case learned(id: UInt64, name: String)
        /// The plan is complete but not valid here (the reason, for the log).
        case refused(id: UInt64, reason: String)
    }

    public static var capacity: Int { 4 }

    private var assembler = PlanAssembler(maximumPlansInFlight: 2, rememberedCompletions: 4)
    private var learned: [(id: UInt64, plan: SignalPlan, bytes: [UInt8])] = []
    /// Plans that were assembled but failed validation.
    public private(set) var refused: Set<UInt64> = []

    public init() {}

    /// The content of plan `id`, if learned.
    public func content(of id: UInt64) -> (plan: SignalPlan, bytes: [UInt8])? {
        learned.first { $0.id == id }.map { ($0.plan, $0.bytes) }
    }

    /// Whether asking for plan `id` can still help: neither learned nor refused.
    public func mayAsk(for id: UInt64) -> Bool {
        content(of: id) == nil && !refused.contains(id)
    }

    /// Takes one chunk of a plan an agent lent.
    public mutating func receive(_ chunk: PlanChunk) -> Outcome {
        let id = chunk.planID.rawValue
        guard mayAsk(for: id), let assembled = assembler.add(chunk) else { return .pending }
        do {
            let plan = try SignalPlan.load(assembled.bytes, source: "plan \(String(id, radix: 16)) lent by an agent")
            if learned.count >= Self.capacity { learned.removeFirst() }
            learned.append((id, plan, assembled.bytes))
            return .learned(id: id, name: plan.name)
        } catch {
            refused.insert(id)
            return .refused(id: id, reason: error.description)
        }
    }
}
