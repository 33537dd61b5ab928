/// Watches the node's NTP slew of `CLOCK_MONOTONIC` against the raw clock,
/// once a second, for `/metrics` and one log line when a slew starts and
/// ends. The agent disciplines the raw clock, so a slew changes nothing on
/// the lights; the log says so, because an operator who sees chrony slewing
/// hard will ask.
struct SlewWatch {
    /// Beyond this the slew is worth a log line (crystals differ by tens of ppm).
    static let noticePPM: Double = 500
    private var last: (raw: Int64, monotonic: Int64)?
    private var slewing = false

    /// A fresh measurement when a second has passed since the last one.
    mutating func measure(_ clock: AgentClock) -> Double? {
        if let last, clock.kernel.rawNanos() - last.raw < 1_000_000_000 { return nil }
        let (ppm, reading) = clock.slewPPM(since: last)
        last = reading
        return ppm
    }

    /// The line to log when the slew crosses `noticePPM` either way.
    mutating func note(_ ppm: Double) -> String? {
        let now = abs(ppm) > Self.noticePPM
        defer { slewing = now }
        if now && !slewing { return "CLOCK_MONOTONIC is being slewed (NTP); the agent runs on CLOCK_MONOTONIC_RAW, the lights are unaffected" }
        if !now && slewing { return "CLOCK_MONOTONIC slew ended" }
        return nil
    }
}
