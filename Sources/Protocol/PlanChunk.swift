import JunctionCore

/// One piece of a plan file on its way from the coordinator to the agents
/// (or, asked by a solicit's `wantedPlan`, from an agent to a coordinator
/// that lacks the plan the agents run).
///
/// A plan is larger than a datagram, so it travels as chunks of
/// `Wire.planChunkPayloadByteCount` bytes (the last may be shorter). Every
/// chunk repeats the plan's id, activation and length, so an agent can start
/// assembling from whichever chunk arrives first, in any order.
public struct PlanChunk: Sendable, Hashable {
    /// The id of the whole plan; the assembled bytes must hash to it.
    public var planID: PlanID
    /// The timebase instant at which the plan's cycle starts (a cycle boundary).
    public var activation: TimebaseInstant
    /// This chunk's position, `0..<count`.
    public var index: UInt16
    /// How many chunks the plan has.
    public var count: UInt16
    /// The plan file's size in bytes.
    public var totalLength: UInt32
    /// The plan bytes `index * 1024 ..< min(totalLength, (index + 1) * 1024)`.
    public var bytes: [UInt8]

    public init(planID: PlanID, activation: TimebaseInstant, index: UInt16, count: UInt16, totalLength: UInt32, bytes: [UInt8]) {
        self.planID = planID
        self.activation = activation
        self.index = index
        self.count = count
        self.totalLength = totalLength
        self.bytes = bytes
    }

    /// Cuts a plan file into chunks. Empty plans and plans larger than
    /// `Wire.maximumPlanByteCount` are refused, so no receiver ever has to
    /// hold more than that for one plan.
    public static func split(planBytes: [UInt8], id: PlanID, activation: TimebaseInstant) throws(MessageError) -> [PlanChunk] {
        guard !planBytes.isEmpty else { throw .emptyPlan }
        guard planBytes.count <= Wire.maximumPlanByteCount else {
            throw .planTooLarge(byteCount: planBytes.count, limit: Wire.maximumPlanByteCount)
        }
        let size = Wire.planChunkPayloadByteCount
        let count = chunkCount(totalLength: planBytes.count)
        return (0..<count).map { index in
            let start = index * size
            return PlanChunk(
                planID: id, activation: activation, index: UInt16(index), count: UInt16(count),
                totalLength: UInt32(planBytes.count),
                bytes: Array(planBytes[start..<min(planBytes.count, start + size)]))
        }
    }

    /// The number of chunks a plan of `totalLength` bytes is cut into.
    public static func chunkCount(totalLength: Int) -> Int {
        (totalLength + Wire.planChunkPayloadByteCount - 1) / Wire.planChunkPayloadByteCount
    }

    /// Where this chunk's bytes start in the plan.
    public var offset: Int { Int(index) * Wire.planChunkPayloadByteCount }

    /// Why this chunk's numbers are impossible, or nil when they fit together:
    /// a plausible length, the count that length implies, an index below the
    /// count and exactly the payload that index should carry.
    var layoutProblem: DropReason? {
        let total = Int(totalLength)
        guard total <= Wire.maximumPlanByteCount, Int(count) <= Wire.maximumPlanChunkCount else { return .planTooLarge }
        guard total > 0, Int(count) == Self.chunkCount(totalLength: total), index < count else { return .badField }
        let expected = min(Wire.planChunkPayloadByteCount, total - offset)
        return bytes.count == expected ? nil : .badField
    }
}

// MARK: Wire

extension PlanChunk {
    func validate() throws(MessageError) {
        switch layoutProblem {
        case nil: return
        case .planTooLarge?: throw .planTooLarge(byteCount: Int(totalLength), limit: Wire.maximumPlanByteCount)
        case _?:
            throw .inconsistentPlanChunk(
                "index \(index) of \(count), total \(totalLength) bytes, \(bytes.count) bytes in chunk")
        }
    }

    func encode(into writer: inout WireWriter) {
        writer.u64(planID.rawValue)
        writer.i64(activation.nanos)
        writer.u16(index)
        writer.u16(count)
        writer.u32(totalLength)
        writer.u16(UInt16(truncatingIfNeeded: bytes.count))
        writer.raw(bytes)
    }

    init(from reader: inout WireReader) throws(DropReason) {
        planID = PlanID(rawValue: try reader.u64())
        activation = TimebaseInstant(nanos: try reader.i64())
        index = try reader.u16()
        count = try reader.u16()
        totalLength = try reader.u32()
        let length = Int(try reader.u16())
        guard length <= Wire.planChunkPayloadByteCount else { throw .badField }
        bytes = try reader.raw(count: length)
        if let problem = layoutProblem { throw problem }
    }
}
