extension SocketAddress {
    /// Splits `host:port` or `[v6]:port` (the `--agent`/`--coordinator`
    /// option values); nil when there is no valid port.
    public static func splitHostPort(_ text: String) -> (host: String, port: UInt16)? {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), !host.isEmpty else { return nil }
            return (host, port)
        }
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, !host.contains(":") else { return nil }
        return (host, port)
    }
}
