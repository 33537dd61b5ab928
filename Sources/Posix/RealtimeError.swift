#if canImport(Glibc)
import Glibc
#endif

/// Why real-time mode could not be set, with the one thing to change.
public enum RealtimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `pthread_setschedparam(SCHED_FIFO)` failed. The probes say which right
    /// was missing: the capability, the rlimit, or a cgroup with no
    /// real-time runtime (a kernel with `CONFIG_RT_GROUP_SCHED`).
    case schedulerRefused(priority: Int32, errno: Int32, hasSysNice: Bool?, rtprioLimit: UInt64?, cgroupRealtimeMicros: Int64?)
    /// `mlockall` failed: no `CAP_IPC_LOCK` and `RLIMIT_MEMLOCK` too small.
    case memoryLockRefused(errno: Int32, limitBytes: UInt64?, hasIpcLock: Bool?)
    /// `pthread_setaffinity_np` failed (no such CPU, or not in the cpuset).
    case pinRefused(cpu: Int, errno: Int32)
    /// `prctl(PR_SET_TIMERSLACK)` failed.
    case timerSlackRefused(errno: Int32)

    public var description: String {
        switch self {
        case let .schedulerRefused(priority, code, hasSysNice, rtprio, cgroupMicros):
            let what = "--realtime: cannot put the timing thread on SCHED_FIFO priority \(priority) (\(Self.text(code)))"
            if code == EINVAL { return "\(what): the priority must be 1 to 99" }
            if hasSysNice == false, (rtprio ?? 0) < UInt64(priority) {
                return "\(what): the process lacks CAP_SYS_NICE and its RLIMIT_RTPRIO is \(rtprio.map(String.init) ?? "unknown"); "
                    + "add the capability (Kubernetes: securityContext.capabilities.add [\"SYS_NICE\"]) or raise RLIMIT_RTPRIO to at least \(priority)"
            }
            if let cgroupMicros, cgroupMicros == 0 {
                return "\(what): the kernel has CONFIG_RT_GROUP_SCHED and this process's cgroup has no real-time runtime "
                    + "(cpu.rt_runtime_us is 0); grant it some (e.g. 950000 in the pod's cgroup) or use a kernel without CONFIG_RT_GROUP_SCHED"
            }
            if code == EPERM {
                return "\(what): the right is there (CAP_SYS_NICE or RLIMIT_RTPRIO), so the kernel's CONFIG_RT_GROUP_SCHED most likely "
                    + "gives this cgroup no real-time runtime; grant cpu.rt_runtime_us to the pod's cgroup or use a kernel without CONFIG_RT_GROUP_SCHED"
            }
            return what
        case let .memoryLockRefused(code, limit, hasIpcLock):
            let what = "--realtime: cannot lock memory with mlockall (\(Self.text(code)))"
            if hasIpcLock == true { return "\(what): the memory cgroup or the machine has too little memory for the process" }
            return "\(what): the process lacks CAP_IPC_LOCK and its RLIMIT_MEMLOCK is \(limit.map { "\($0) bytes" } ?? "unknown"); "
                + "add the capability (Kubernetes: securityContext.capabilities.add [\"IPC_LOCK\"]) or raise RLIMIT_MEMLOCK (ulimit -l unlimited)"
        case let .pinRefused(cpu, code):
            return "--realtime-cpu \(cpu): cannot pin the timing thread (\(Self.text(code))); the CPU must exist and be in this process's cpuset (see /proc/self/status Cpus_allowed_list)"
        case let .timerSlackRefused(code):
            return "--realtime: cannot set the timer slack (\(Self.text(code)))"
        }
    }

    private static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}
