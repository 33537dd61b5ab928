import Synchronization

/// A minimal HTTP/1.1 server for `/healthz`, `/readyz`, `/metrics` and
/// `/status`.
///
/// Why not more: Kubernetes probes and Prometheus scrapes need GET, a status
/// and a small body. One request per connection (`Connection: close`), GET and
/// HEAD only (405 otherwise), a bounded request head (431) and a bounded time
/// per connection: nothing a client does can grow memory or hold the server.
/// All connections are served by one poll() loop on a dedicated thread, so a
/// slow client delays neither other clients nor anything outside the server.
///
/// `routes` runs on the server thread for every GET/HEAD with the request path
/// (query stripped) and returns nil for 404. It must be quick and thread-safe:
/// read a snapshot (e.g. behind a `Mutex`), never wait on the timing thread.
public final class HTTPServer: Sendable {
    /// The port actually bound: the ephemeral one when started with port 0.
    public let port: UInt16
    public let host: String

    private let wakeFd: Int32
    private let thread: Mutex<OSThread?>

    /// Binds `host:port` and starts serving on a new thread.
    /// - Parameters:
    ///   - host: address to bind; `::` (the default) is every interface,
    ///     IPv6 and IPv4 (mapped); an IPv4 literal binds IPv4 only.
    ///   - port: 0 picks a free port; read it back from `port`.
    public static func start(
        host: String = "::", port: UInt16, limits: Limits = Limits(),
        routes: @escaping @Sendable (_ path: String) -> Response?
    ) throws(HTTPServerError) -> HTTPServer {
        try serve(host: host, port: port, limits: limits, requests: { routes($0.path) })
    }

    /// Like `start(host:port:limits:routes:)`, for routes that read the
    /// query (e.g. `/events?since=`): `requests` gets path and query.
    /// (Another name than `start`, so `{ _ in nil }` stays unambiguous.)
    public static func serve(
        host: String = "0.0.0.0", port: UInt16, limits: Limits = Limits(),
        requests routes: @escaping @Sendable (Request) -> Response?
    ) throws(HTTPServerError) -> HTTPServer {
        let listener = try HTTPServerSocket.listen(host: host, port: port)
        let bound: UInt16
        let wake: (read: Int32, write: Int32)
        do {
            bound = try HTTPServerSocket.boundPort(listener)
            wake = try HTTPServerSocket.wakePipe()
        } catch {
            HTTPServerSocket.close(listener)
            throw error
        }
        let loop = Loop(listener: listener, wake: wake.read, limits: limits, routes: routes)
        let thread: OSThread
        do { thread = try OSThread(name: "junction-http") { loop.run() } } catch {
            HTTPServerSocket.close(listener)
            HTTPServerSocket.close(wake.read)
            HTTPServerSocket.close(wake.write)
            throw .failed(error)
        }
        return HTTPServer(host: host, port: bound, wakeFd: wake.write, thread: thread)
    }

    private init(host: String, port: UInt16, wakeFd: Int32, thread: OSThread) {
        self.host = host
        self.port = port
        self.wakeFd = wakeFd
        self.thread = Mutex(thread)
    }

    deinit { stop() }

    /// Stops accepting, closes every connection and the listening socket, and
    /// waits for the server thread to end. Idempotent.
    public func stop() {
        guard let thread = thread.withLock({ t in defer { t = nil }; return t }) else { return }
        HTTPServerSocket.wake(wakeFd)
        thread.join()
        HTTPServerSocket.close(wakeFd)
    }
}
