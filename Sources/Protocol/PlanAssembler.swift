import JunctionCore

/// A plan file put back together from its chunks and checked against its id.
public struct AssembledPlan: Sendable, Hashable {
    public var planID: PlanID
    public var activation: TimebaseInstant
    public var bytes: [UInt8]

    public init(planID: PlanID, activation: TimebaseInstant, bytes: [UInt8]) {
        self.planID = planID
        self.activation = activation
        self.bytes = bytes
    }
}

/// Reassembles plans from chunks that arrive in any order, repeated or lost
/// and resent, with bounded memory: at most `maximumPlansInFlight` partial
/// plans of at most `Wire.maximumPlanByteCount` bytes each. A plan is only
/// returned once its SHA-256 matches its id, so a corrupted or forged plan is
/// never shown. Pure: no clock, no I/O.
public struct PlanAssembler: Sendable {
    /// What one chunk did.
    public enum Outcome: Sendable, Hashable {
        /// Stored; `received` of `count` chunks are in.
        case incomplete(received: Int, count: Int)
        /// Already had this chunk, or the whole plan was recently completed.
        case duplicate
        /// The last missing chunk: the verified plan.
        case complete(AssembledPlan)
        /// Refused (and counted in `drops`).
        case dropped(DropReason)
    }

    /// A plan is told apart by id and activation: the same plan announced for
    /// another cycle start is another delivery.
    struct Key: Hashable, Sendable {
        var planID: PlanID
        var activation: TimebaseInstant
    }

    struct Partial: Sendable {
        var totalLength: Int
        var count: Int
        var received: [Bool]
        var receivedCount = 0
        var bytes: [UInt8]
        var lastTouched: UInt64
    }

    /// How many partial plans are kept before the least recently fed is evicted.
    public let maximumPlansInFlight: Int
    /// How many completed plans are remembered so their repeated chunks are ignored.
    public let rememberedCompletions: Int
    /// Chunks refused so far, per reason.
    public private(set) var drops = DropCounters()

    private var partials: [Key: Partial] = [:]
    private var completed: [Key] = []
    private var touchCounter: UInt64 = 0

    public init(maximumPlansInFlight: Int = 3, rememberedCompletions: Int = 4) {
        precondition(maximumPlansInFlight >= 1 && rememberedCompletions >= 0)
        self.maximumPlansInFlight = maximumPlansInFlight
        self.rememberedCompletions = rememberedCompletions
    }

    /// Plans being assembled now.
    public var plansInFlight: Int { partials.count }

    /// Adds a chunk; returns the plan when this chunk completed it.
    public mutating func add(_ chunk: PlanChunk) -> AssembledPlan? {
        if case let .complete(plan) = accept(chunk) { return plan }
        return nil
    }

    /// Forgets that a plan was completed, so its chunks assemble it again
    /// (for an agent that discarded the plan and needs it back).
    public mutating func forgetCompleted(planID: PlanID) {
        completed.removeAll { $0.planID == planID }
    }

    /// Adds a chunk and says what happened.
    public mutating func accept(_ chunk: PlanChunk) -> Outcome {
        if let problem = chunk.layoutProblem { return drop(problem) }
        let key = Key(planID: chunk.planID, activation: chunk.activation)
        if completed.contains(key) { return .duplicate }
        touchCounter &+= 1
        var partial = partials.removeValue(forKey: key) ?? startPartial(for: chunk)
        guard partial.totalLength == Int(chunk.totalLength) else {
            partials[key] = partial
            return drop(.planMismatch)
        }
        partial.lastTouched = touchCounter
        let index = Int(chunk.index)
        if partial.received[index] {
            partials[key] = partial
            return .duplicate
        }
        partial.received[index] = true
        partial.receivedCount += 1
        partial.bytes.replaceSubrange(chunk.offset..<(chunk.offset + chunk.bytes.count), with: chunk.bytes)
        guard partial.receivedCount == partial.count else {
            partials[key] = partial
            return .incomplete(received: partial.receivedCount, count: partial.count)
        }
        guard PlanID(planBytes: partial.bytes) == chunk.planID else { return drop(.planMismatch) }
        remember(key)
        return .complete(AssembledPlan(planID: chunk.planID, activation: chunk.activation, bytes: partial.bytes))
    }

    private mutating func startPartial(for chunk: PlanChunk) -> Partial {
        if partials.count >= maximumPlansInFlight, let oldest = partials.min(by: { $0.value.lastTouched < $1.value.lastTouched }) {
            partials.removeValue(forKey: oldest.key)
            drops.record(.planEvicted)
        }
        let count = Int(chunk.count)
        return Partial(
            totalLength: Int(chunk.totalLength), count: count, received: Array(repeating: false, count: count),
            bytes: Array(repeating: 0, count: Int(chunk.totalLength)), lastTouched: touchCounter)
    }

    private mutating func remember(_ key: Key) {
        guard rememberedCompletions > 0 else { return }
        if completed.count >= rememberedCompletions { completed.removeFirst() }
        completed.append(key)
    }

    private mutating func drop(_ reason: DropReason) -> Outcome {
        drops.record(reason)
        return .dropped(reason)
    }
}
