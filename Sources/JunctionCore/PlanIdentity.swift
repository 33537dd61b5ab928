/// What makes two plans the same plan: the content id (a hash of the file
/// bytes) AND the anchor where its cycle starts on the timebase.
///
/// The same file anchored 2 s apart is two plans whose heads are 2 s out of
/// step, so nothing may treat "same id" as "same plan". `PlanRef` on the wire
/// carries exactly these two values.
public struct PlanIdentity: Sendable, Hashable, CustomStringConvertible {
    public var id: UInt64
    public var anchor: TimebaseInstant

    public init(id: UInt64, anchor: TimebaseInstant) {
        self.id = id
        self.anchor = anchor
    }

    /// No plan (id 0, anchor 0), as the wire writes it.
    public static let none = PlanIdentity(id: 0, anchor: TimebaseInstant(nanos: 0))
    public var isNone: Bool { id == 0 }

    public var description: String { isNone ? "none" : "\(String(id, radix: 16))@\(anchor.nanos)" }
}
