#if canImport(Glibc)
import Glibc
#endif

/// The glibc calls Swift's Glibc module does not import: `prctl` (variadic
/// in C) and the `_GNU_SOURCE` ones (`sched_setaffinity`). Each is looked up
/// once with `dlsym` and called through a fixed C function type. For
/// `prctl`, which takes integers only, Linux's x86-64 and AArch64 calling
/// conventions pass variadic and fixed integer arguments alike.
enum GNUCalls {
    private typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    private typealias SetAffinity = @convention(c) (Int32, Int, UnsafeRawPointer) -> Int32

    private static let prctlFunction: Prctl? = symbol("prctl").map { unsafeBitCast($0, to: Prctl.self) }
    private static let setAffinityFunction: SetAffinity? = symbol("sched_setaffinity").map { unsafeBitCast($0, to: SetAffinity.self) }

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? { dlsym(nil, name) }

    /// `prctl(option, a, b, c, d)`; -1 with errno ENOSYS if unavailable.
    static func prctl(_ option: Int32, _ a: UInt = 0, _ b: UInt = 0, _ c: UInt = 0, _ d: UInt = 0) -> Int32 {
        guard let prctlFunction else { errno = ENOSYS; return -1 }
        return prctlFunction(option, a, b, c, d)
    }

    /// Pins the calling thread to one CPU; 0, or an errno value.
    static func pinCurrentThread(to cpu: Int) -> Int32 {
        let words = 16  // 1024 CPUs, glibc's cpu_set_t
        guard cpu >= 0, cpu < words * 64 else { return EINVAL }
        guard let setAffinityFunction else { return ENOSYS }
        var mask = [UInt64](repeating: 0, count: words)
        mask[cpu / 64] = 1 << UInt64(cpu % 64)
        let rc = mask.withUnsafeBytes { setAffinityFunction(0, $0.count, $0.baseAddress!) }
        return rc == 0 ? 0 : errno
    }

    static let setTimerSlack: Int32 = 29  // PR_SET_TIMERSLACK
    static let getTimerSlack: Int32 = 30  // PR_GET_TIMERSLACK
    static let setName: Int32 = 15        // PR_SET_NAME (the calling thread's)
    static let getName: Int32 = 16        // PR_GET_NAME
}
