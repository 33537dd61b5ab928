#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Real-time mode for the thread that changes the lights (`--realtime`).
///
/// Why: under load, a default-priority thread that wakes from
/// `clock_nanosleep` waits behind whatever the CFS scheduler prefers, and
/// its first touch of a paged-out page costs a major fault; both show up as a
/// light changing late. `SCHED_FIFO` puts the timing thread ahead of every
/// normal thread, `mlockall` keeps the process's pages resident, a 1 ns timer
/// slack stops the kernel from coalescing its wake-up with others (the
/// default is 50 µs), and an optional CPU pin keeps it off a busy core.
///
/// Each step needs a right a container may lack; the error names which
/// (`RealtimeError`), because "operation not permitted" alone does not say
/// whether to add `CAP_SYS_NICE`, raise `RLIMIT_RTPRIO`, or grant real-time
/// runtime to a cgroup on a kernel built with `CONFIG_RT_GROUP_SCHED`.
public struct RealtimeScheduling: Sendable, Equatable {
    /// SCHED_FIFO priority, 1 (lowest) to 99. 50 by default: above the
    /// kernel's threaded interrupt handlers' neighbours at 49 and below its
    /// watchdogs at 99.
    public var priority: Int32
    /// Lock current and future pages (`mlockall(MCL_CURRENT | MCL_FUTURE)`).
    public var lockMemory: Bool
    /// The timing thread's timer slack, in nanoseconds (`PR_SET_TIMERSLACK`).
    public var timerSlackNanos: UInt
    /// Pin the timing thread to this CPU; nil leaves it free.
    public var cpu: Int?

    public static let priorityRange: ClosedRange<Int32> = 1...99

    public init(priority: Int32 = 50, lockMemory: Bool = true, timerSlackNanos: UInt = 1, cpu: Int? = nil) {
        self.priority = priority
        self.lockMemory = lockMemory
        self.timerSlackNanos = timerSlackNanos
        self.cpu = cpu
    }

    /// The process-wide step: locks memory. Call once, early (before the
    /// threads start, so their stacks are locked as they are made).
    public func lockProcessMemory() throws(RealtimeError) {
        guard lockMemory else { return }
        if mlockall(Int32(MCL_CURRENT | MCL_FUTURE)) != 0 {
            let code = errno
            throw .memoryLockRefused(errno: code, limitBytes: RealtimeProbe.softLimit(RealtimeProbe.memlock),
                                     hasIpcLock: RealtimeProbe.hasCapability(RealtimeProbe.capIpcLock))
        }
    }

    /// The per-thread steps, on the calling thread: CPU pin, timer slack,
    /// then `SCHED_FIFO` at `priority`. (Kernels since 6.7 drop the slack of
    /// a real-time thread to 0 by themselves; the explicit 1 ns serves the
    /// older kernels Raspberry Pi OS shipped.)
    public func applyToCurrentThread() throws(RealtimeError) {
        if let cpu {
            let rc = RealtimeProbe.pinCurrentThread(to: cpu)
            if rc != 0 { throw .pinRefused(cpu: cpu, errno: rc) }
        }
        if RealtimeProbe.setTimerSlack(timerSlackNanos) != 0 {
            throw .timerSlackRefused(errno: errno)
        }
        var parameters = sched_param()
        parameters.sched_priority = priority
        let rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters)
        if rc != 0 {
            throw .schedulerRefused(
                priority: priority, errno: rc,
                hasSysNice: RealtimeProbe.hasCapability(RealtimeProbe.capSysNice),
                rtprioLimit: RealtimeProbe.softLimit(RealtimeProbe.rtprio),
                cgroupRealtimeMicros: RealtimeProbe.cgroupRealtimeRuntimeMicros())
        }
    }

    /// The calling thread's scheduling policy and priority, for tests and logs.
    public static func currentThreadPolicy() -> (policy: Int32, priority: Int32) {
        var policy: Int32 = 0
        var parameters = sched_param()
        _ = pthread_getschedparam(pthread_self(), &policy, &parameters)
        return (policy, parameters.sched_priority)
    }

    /// `SCHED_FIFO`, for comparing with `currentThreadPolicy().policy`.
    public static let fifoPolicy = Int32(SCHED_FIFO)

    /// The calling thread's timer slack in nanoseconds.
    public static func currentTimerSlackNanos() -> Int { RealtimeProbe.timerSlack() }
}

extension RealtimeScheduling {
    /// The timing thread's first call: names it `junction-timing` and, when
    /// real-time mode is on, applies it. The command checked the rights on a
    /// probe thread before starting (`probe()`), so a refusal here is not
    /// expected; it is logged, and the lights go on at normal priority.
    public static func prepareTimingThread(_ realtime: RealtimeScheduling?, logger: Logger) {
        OSThread.nameCurrentThread("junction-timing")
        guard let realtime else { return }
        do {
            try realtime.applyToCurrentThread()
            logger.info("timing thread is real-time", [
                "policy": "SCHED_FIFO", "priority": .int(Int64(realtime.priority)),
                "timer_slack_ns": .int(Int64(currentTimerSlackNanos())), "cpu": .int(Int64(realtime.cpu ?? -1)),
                "memory_locked": .bool(realtime.lockMemory),
            ])
        } catch {
            logger.error("real-time mode refused on the timing thread; running at normal priority", ["error": "\(error.description)"])
        }
    }

    /// Checks, before any timing matters, that the per-thread settings take:
    /// applies them on a short-lived thread and returns its refusal, if any.
    public func probe() throws(RealtimeError) {
        let outcome = Mutex<RealtimeError?>(nil)
        let settings = self
        do {
            let thread = try OSThread(name: "junction-rtprobe") {
                do throws(RealtimeError) { try settings.applyToCurrentThread() } catch { outcome.withLock { $0 = error } }
            }
            thread.join()
        } catch {
            return  // no thread to probe with; the timing thread will log a refusal
        }
        if let error = outcome.withLock({ $0 }) { throw error }
    }
}
