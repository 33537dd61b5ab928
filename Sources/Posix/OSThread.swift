#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread (pthread) for a loop that must not share the
/// Swift concurrency pool: the agent's timing thread sleeps with
/// `clock_nanosleep` and must wake on time whatever else the process does.
public final class OSThread: Sendable {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private let id: pthread_t

    /// Starts `body` on a new thread.
    public init(_ body: @escaping @Sendable () -> Void) throws(Errno) {
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
    public func join() { _ = pthread_join(id, nil) }
}
