extension SignalPlan {
    /// Which head an agent shows, with the ordinal fallback allowed or not.
    ///
    /// Why: real lamps are wired to a board, while a StatefulSet pod may be
    /// scheduled on any labelled node. Keyed by ordinal, the light facing
    /// north-south traffic could show the east-west head. An agent driving
    /// real lamps therefore takes only the head listed with its board, and
    /// nil (the plan's flash aspect) when the plan does not name it, unless
    /// the operator opted in to ordinal heads (demos, recordings).
    public func head(board: String?, ordinal: Int, ordinalHeads: Bool) -> HeadAssignment? {
        if ordinalHeads { return head(board: board, ordinal: ordinal) }
        guard let board, let entry = heads.first(where: { $0.board == board }) else { return nil }
        return assignment(junction: entry.junction, group: entry.group)
    }

    /// The boards the plan names, in the order of its heads.
    public var boards: [String] { heads.compactMap(\.board) }
}
