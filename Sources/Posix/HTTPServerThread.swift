#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread for the HTTP server's poll loop, so a scrape or a
/// slow client never runs on (or waits for) the Swift concurrency pool or the
/// timing thread.
final class HTTPServerThread: Sendable {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private let id: pthread_t

    /// Starts `body` on a new thread.
    init(_ body: @escaping @Sendable () -> Void) throws(Errno) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var id = pthread_t()
        let rc = pthread_create(&id, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw Errno(rawValue: rc, operation: "pthread_create")
        }
        self.id = id
    }

    /// Waits for the thread to return. Call once.
    func join() { _ = pthread_join(id, nil) }
}
