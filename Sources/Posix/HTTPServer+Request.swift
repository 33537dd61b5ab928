extension HTTPServer {
    /// The part of a request the server looks at: the request line.
    struct RequestHead: Sendable, Hashable {
        var method: String
        /// The path without query or fragment; always starts with `/`.
        var path: String
        /// What followed `?` (without the fragment); empty without one.
        var query: String = ""
    }

    /// The outcome of looking at the bytes received so far.
    enum Parse: Sendable, Hashable {
        /// No blank line yet: keep reading.
        case incomplete
        case complete(RequestHead)
        /// The head does not fit in the limit: answer 431.
        case tooLarge
        /// Not an HTTP/1.x request line: answer 400.
        case malformed
    }

    /// Parses the request head in `bytes` (pure; the server calls it after
    /// every read). Only the request line is interpreted; headers are skipped.
    static func parse(_ bytes: [UInt8], limit: Int) -> Parse {
        guard let end = headEnd(bytes) else { return bytes.count > limit ? .tooLarge : .incomplete }
        if end > limit { return .tooLarge }
        let lineEnd = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? end
        var line = bytes[..<lineEnd]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3,
              let method = token(parts[0]),
              let version = token(parts[2]), version == "HTTP/1.1" || version == "HTTP/1.0",
              let (path, query) = target(parts[1])
        else { return .malformed }
        return .complete(RequestHead(method: method, path: path, query: query))
    }

    /// The index just past the blank line ending the head (CRLF CRLF, or
    /// bare LF LF from lenient clients), or nil.
    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { return i + 2 }
                if i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "\r"), bytes[i + 2] == UInt8(ascii: "\n") { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// Visible ASCII without spaces, as a string.
    private static func token(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The path and query of an origin-form (`/metrics?x`) or absolute-form
    /// (`http://host/metrics`) target.
    private static func target(_ bytes: ArraySlice<UInt8>) -> (path: String, query: String)? {
        guard var target = token(bytes) else { return nil }
        if let scheme = target.firstRange(of: "://") {
            let afterHost = target[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? target.endIndex
            target = afterHost == target.endIndex ? "/" : String(target[afterHost...])
            if target.hasPrefix("?") { target = "/" + target }
        }
        guard target.hasPrefix("/") else { return nil }
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }
}
