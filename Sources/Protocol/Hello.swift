/// An agent's first words after it starts, so the coordinator learns about it
/// before its first full report (and can send it the plan at once).
public struct Hello: Sendable, Hashable {
    /// The agent's configured ordinal (its StatefulSet index, say).
    public var ordinal: UInt32
    /// Random per agent process: tells a restarted agent from the old one.
    public var instance: UInt64
    /// The board's name, at most `Wire.maximumNameByteCount` UTF-8 bytes.
    public var board: String

    public init(ordinal: UInt32, instance: UInt64, board: String) {
        self.ordinal = ordinal
        self.instance = instance
        self.board = board
    }
}

// MARK: Wire

extension Hello {
    func validate() throws(MessageError) {
        try MessageError.checkName(board, field: "board")
    }

    func encode(into writer: inout WireWriter) {
        writer.u32(ordinal)
        writer.u64(instance)
        writer.name(board)
    }

    init(from reader: inout WireReader) throws(DropReason) {
        ordinal = try reader.u32()
        instance = try reader.u64()
        board = try reader.name()
    }
}
