#if canImport(Glibc)
import Glibc
#endif

/// A counting semaphore (POSIX `sem_t`) for handing work from one dedicated
/// thread to another: `wait` sleeps in the kernel until a `post`, and
/// `post` never blocks, so a timing thread can hand work over without
/// waiting on a lock anyone holds while doing slow work.
public final class Semaphore: @unchecked Sendable {
    // `sem_t` must not move once initialised: it lives at a fixed address.
    private let handle: UnsafeMutablePointer<sem_t>

    public init(value: UInt32 = 0) {
        handle = .allocate(capacity: 1)
        sem_init(handle, 0, value)
    }

    deinit {
        sem_destroy(handle)
        handle.deallocate()
    }

    /// Adds one; wakes a waiter if there is one.
    public func post() { sem_post(handle) }

    /// Takes one, sleeping until there is one (a signal does not cut it short).
    public func wait() {
        // Only EINTR (retried) or EINVAL (an uninitialised semaphore, which
        // `init` rules out) can fail it.
        _ = try? Errno.retryingOnInterrupt("sem_wait") { sem_wait(handle) }
    }
}
