extension HTTPServer {
    /// A GET or HEAD request as routes see it: the path and the raw query.
    public struct Request: Sendable, Hashable {
        public var method: String
        /// Always starts with `/`; no query or fragment.
        public var path: String
        /// What followed `?`, undecoded; empty without one.
        public var query: String

        public init(method: String = "GET", path: String, query: String = "") {
            self.method = method
            self.path = path
            self.query = query
        }

        /// The first value of `name` in the query (`a=1&b=2`), percent-
        /// decoded; nil when absent or not valid percent-encoding. A name
        /// without `=` has the empty value.
        public func parameter(_ name: String) -> String? {
            for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard Self.decode(parts[0]) == name else { continue }
                return parts.count > 1 ? Self.decode(parts[1]) : ""
            }
            return nil
        }

        /// `%41` to `A` and `+` to space; nil on a bad escape or bad UTF-8.
        static func decode(_ text: Substring) -> String? {
            var bytes: [UInt8] = []
            var iterator = Array(text.utf8).makeIterator()
            while let byte = iterator.next() {
                switch byte {
                case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
                case UInt8(ascii: "%"):
                    guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                    bytes.append(high << 4 | low)
                default: bytes.append(byte)
                }
            }
            return String(validating: bytes, as: UTF8.self)
        }

        private static func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
    }
}
