extension Logger {
    /// RFC 3339 UTC with milliseconds, e.g. `2024-05-01T12:00:00.250Z`, from
    /// nanoseconds since the Unix epoch. Pure, so it is tested at the edges
    /// (epoch, leap days, negative instants) without reading a clock.
    public static func timestamp(realtimeNanos: Int64) -> String {
        let nanosPerDay: Int64 = 86_400 * 1_000_000_000
        var days = realtimeNanos / nanosPerDay
        var rest = realtimeNanos % nanosPerDay
        if rest < 0 { rest += nanosPerDay; days -= 1 }
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let millis = rest / 1_000_000
        let h = millis / 3_600_000, m = millis / 60_000 % 60, s = millis / 1_000 % 60, ms = millis % 1_000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(ms, 3))Z"
    }

    /// Howard Hinnant's `civil_from_days`: proleptic Gregorian calendar.
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
