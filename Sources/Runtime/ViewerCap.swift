/// At most `maximum` distinct web viewers at a time.
///
/// Why: the page polls once a second, and each viewer costs the coordinator
/// one connection and one copy of the snapshot per poll (the encoding itself
/// is shared). A viewer is a random id the page picks; it counts while it
/// polled within `windowNanos`. Beyond the cap a new viewer is refused (503,
/// the page says so and retries slowly) and the ones watching keep their
/// place. Pure: times are parameters.
public struct ViewerCap: Sendable {
    public let maximum: Int
    public let windowNanos: Int64
    private var lastSeen: [String: Int64] = [:]

    public init(maximum: Int, windowNanos: Int64 = 10_000_000_000) {
        self.maximum = maximum
        self.windowNanos = windowNanos
    }

    /// Whether `viewer` may be served at `nowNanos`; records it if so.
    public mutating func admit(_ viewer: String, nowNanos: Int64) -> Bool {
        lastSeen = lastSeen.filter { nowNanos - $0.value < windowNanos }
        if lastSeen[viewer] == nil && lastSeen.count >= maximum { return false }
        lastSeen[viewer] = nowNanos
        return true
    }

    /// Viewers seen within the window before `nowNanos`.
    public func count(nowNanos: Int64) -> Int { lastSeen.values.filter { nowNanos - $0 < windowNanos }.count }

    /// A viewer id the page may send: 1 to 32 letters, digits, `-` or `_`.
    public static func isValidID(_ id: String) -> Bool {
        (1...32).contains(id.utf8.count) && id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
        }
    }
}
