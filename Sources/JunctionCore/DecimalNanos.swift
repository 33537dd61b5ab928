/// Exact conversion of a JSON number of seconds to integer nanoseconds.
///
/// Going through `Double` would turn `0.1` into 100000000.00000001 and make
/// two agents disagree by a nanosecond after enough cycles; decimal text is
/// converted digit by digit instead.
enum DecimalNanos {
    enum Failure: Error, Equatable {
        case notANumber
        case tooPrecise
        case outOfRange
    }

    /// Converts e.g. "2.5" to 2_500_000_000, "1e-3" to 1_000_000. Negative
    /// values convert too (callers reject them with their own message).
    static func nanos(fromSeconds text: String) -> Result<Int64, Failure> {
        var chars = Array(text.utf8)
        var negative = false
        if chars.first == UInt8(ascii: "-") { negative = true; chars.removeFirst() }
        var digits: [UInt8] = []
        var exponent = 0
        var i = 0
        var seenDot = false
        while i < chars.count {
            let c = chars[i]
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                digits.append(c - UInt8(ascii: "0"))
                if seenDot { exponent -= 1 }
            } else if c == UInt8(ascii: ".") && !seenDot {
                seenDot = true
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                guard let e = Int(String(decoding: chars[(i + 1)...], as: UTF8.self)), abs(e) < 100 else {
                    return .failure(.notANumber)
                }
                exponent += e
                break
            } else {
                return .failure(.notANumber)
            }
            i += 1
        }
        if digits.isEmpty { return .failure(.notANumber) }
        // value = digits × 10^exponent seconds = digits × 10^(exponent+9) ns
        var scale = exponent + 9
        while scale < 0 {
            guard let last = digits.last else { break }
            if last != 0 { return .failure(.tooPrecise) }
            digits.removeLast()
            scale += 1
        }
        var value: Int64 = 0
        for d in digits {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return .failure(.outOfRange) }
            value = s
        }
        if scale < 0 { value = 0 }
        for _ in 0..<max(scale, 0) {
            if value == 0 { break }
            let (m, o) = value.multipliedReportingOverflow(by: 10)
            if o { return .failure(.outOfRange) }
            value = m
        }
        return .success(negative ? -value : value)
    }

    /// Formats nanoseconds as seconds with only the digits needed ("2.5").
    static func secondsText(_ nanos: Int64) -> String {
        let sign = nanos < 0 ? "-" : ""
        let magnitude = nanos.magnitude
        let whole = magnitude / 1_000_000_000
        var fraction = String(magnitude % 1_000_000_000)
        if fraction == "0" { return "\(sign)\(whole)" }
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(sign)\(whole).\(fraction)"
    }
}

/// Seconds as a person reads them: `2.5 s`.
public func formatSeconds(_ nanos: Int64) -> String { DecimalNanos.secondsText(nanos) + " s" }
