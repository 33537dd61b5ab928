#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread (pthread) for a loop that must not share the
/// Swift concurrency pool: the agent's timing thread sleeps with
/// `clock_nanosleep` and must wake on time whatever else the process does.
///
/// Threads are named (`PR_SET_NAME`, as `pthread_setname_np` does, seen in `top -H`, `ps -L` and
/// /proc/PID/task/*/comm) so that a late light can be traced to a thread, and
/// get a 1 MiB stack instead of glibc's 8 MiB: with `--realtime`,
/// `mlockall(MCL_FUTURE)` makes every stack page resident, and eight
/// megabytes per thread would not fit the pod's memory limit.
public final class OSThread: Sendable {
    private final class Body {
        let name: String?
        let run: @Sendable () -> Void
        init(name: String?, _ run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }

    /// Stack size of every OSThread.
    public static let stackBytes = 1 << 20
    /// The kernel keeps 15 bytes of a thread's name.
    public static let maximumNameBytes = 15

    private let id: pthread_t

    /// Starts `body` on a new thread called `name` (cut to 15 bytes).
    public init(name: String? = nil, _ body: @escaping @Sendable () -> Void) throws(Errno) {
        let context = Unmanaged.passRetained(Body(name: name, body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        _ = pthread_attr_setstacksize(&attributes, Self.stackBytes)
        var id = pthread_t()
        let rc = pthread_create(&id, &attributes, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            if let name = body.name { OSThread.nameCurrentThread(name) }
            body.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw Errno(rawValue: rc, operation: "pthread_create")
        }
        self.id = id
    }

    /// Waits for the thread to return. Call once (and not after `detach`).
    public func join() { _ = pthread_join(id, nil) }

    /// Lets the thread's resources go when it returns, without a join.
    /// Call once (and not after `join`).
    public func detach() { _ = pthread_detach(id) }

    /// Names the calling thread (cut to 15 bytes, on a character boundary).
    public static func nameCurrentThread(_ name: String) {
        var cut = ""
        for character in name where cut.utf8.count + String(character).utf8.count <= maximumNameBytes {
            cut.append(character)
        }
        cut.withCString { _ = GNUCalls.prctl(GNUCalls.setName, UInt(bitPattern: $0)) }
    }

    /// The calling thread's name, as the kernel holds it.
    public static func currentThreadName() -> String {
        var buffer = [CChar](repeating: 0, count: 16)  // PR_GET_NAME writes up to 16 bytes
        let rc = buffer.withUnsafeMutableBufferPointer { GNUCalls.prctl(GNUCalls.getName, UInt(bitPattern: $0.baseAddress)) }
        guard rc == 0 else { return "" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
