/// Why a message cannot be sealed: a value outside the wire format's limits.
/// These come from configuration (names) or from a caller building a plan
/// chunk by hand, so each message says what to change.
public enum MessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A board, junction or group name is too long for the wire.
    case nameTooLong(field: String, byteCount: Int, limit: Int)
    /// A plan file is larger than the protocol carries.
    case planTooLarge(byteCount: Int, limit: Int)
    /// A plan file is empty.
    case emptyPlan
    /// A plan chunk's numbers disagree (use `PlanChunk.split` to make chunks).
    case inconsistentPlanChunk(String)

    public var description: String {
        switch self {
        case let .nameTooLong(field, byteCount, limit):
            "the \(field) name has \(byteCount) UTF-8 bytes but the protocol carries at most \(limit); "
                + "shorten it in the configuration"
        case let .planTooLarge(byteCount, limit):
            "the plan file has \(byteCount) bytes but the protocol carries at most \(limit); "
                + "remove unused junctions or groups from the plan"
        case .emptyPlan:
            "the plan file is empty; pass the plan file's bytes"
        case let .inconsistentPlanChunk(detail):
            "plan chunk is inconsistent (\(detail)); build chunks with PlanChunk.split"
        }
    }

    static func checkName(_ name: String, field: String) throws(MessageError) {
        let count = name.utf8.count
        guard count <= Wire.maximumNameByteCount else {
            throw .nameTooLong(field: field, byteCount: count, limit: Wire.maximumNameByteCount)
        }
    }
}
