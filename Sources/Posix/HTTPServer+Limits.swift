extension HTTPServer {
    /// Bounds on what one client may cost. The server is for probes and
    /// scrapes, so every bound is small; anything beyond them is refused
    /// rather than queued.
    public struct Limits: Sendable, Hashable {
        /// Largest request head accepted; larger ones get 431.
        public var maxRequestBytes: Int
        /// Time a connection gets from accept to a complete request, and again
        /// to take its response; then it is closed.
        public var readTimeoutNanos: Int64
        /// Connections served at once; more wait in the listen backlog.
        public var maxConnections: Int

        public init(maxRequestBytes: Int = 8 * 1024, readTimeoutNanos: Int64 = 2_000_000_000, maxConnections: Int = 32) {
            self.maxRequestBytes = maxRequestBytes
            self.readTimeoutNanos = readTimeoutNanos
            self.maxConnections = maxConnections
        }
    }
}
