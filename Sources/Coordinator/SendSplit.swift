/// How the shell shares one round of datagrams between its sending threads.
///
/// A tick round to 10,000 agents is 10,000 `sendto` calls of about 4 µs each
/// (sealing included): 40 ms from one thread. Two threads, each sending half
/// and stamping each tick as it leaves, bring the last agent's tick in about
/// half that. Below `twoThreadsFrom` the handoff between threads costs more
/// than it saves, and one thread sends the round, in order.
public enum SendSplit {
    /// Rounds of at least this many datagrams go out on two threads.
    public static let twoThreadsFrom = 1_000

    /// The runs of `count` datagrams, one per sending thread, each sent in
    /// order: the first by the deciding thread, the second (if any) by the
    /// helper thread at the same time.
    public static func runs(count: Int) -> [Range<Int>] {
        guard count >= twoThreadsFrom else { return count > 0 ? [0..<count] : [] }
        let half = count / 2
        return [0..<half, half..<count]
    }
}
