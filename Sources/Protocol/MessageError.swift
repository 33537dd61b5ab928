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
    /// A plan identity with no id but a non-zero anchor.
    case anchorWithoutPlan(field: String)
    /// A tick commits a pending plan but names none.
    case commitWithoutPending
    /// A solicit's nonce is 0, which reports use for "not an answer".
    case zeroNonce

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
        case let .anchorWithoutPlan(field):
            "the \(field) plan has id 0 but a non-zero anchor; use PlanRef.none for no plan"
        case .commitWithoutPending:
            "the tick sets pendingCommitted without a pending plan; set pending or clear pendingCommitted"
        case .zeroNonce:
            "the solicit's nonce is 0, which means 'not an answer' in reports; draw a non-zero random nonce"
        }
    }

    static func checkPlan(_ plan: PlanRef, field: String) throws(MessageError) {
        guard plan.isCanonical else { throw .anchorWithoutPlan(field: field) }
    }

    static func checkName(_ name: String, field: String) throws(MessageError) {
        let count = name.utf8.count
        guard count <= Wire.maximumNameByteCount else {
            throw .nameTooLong(field: field, byteCount: count, limit: Wire.maximumNameByteCount)
        }
    }
}
