#if canImport(Glibc)
import Glibc
#endif

/// The kernel calls and /proc reads behind `RealtimeScheduling`: the
/// per-thread settings, and the probes that tell which right is missing.
enum RealtimeProbe {
    /// Capability numbers from <linux/capability.h>.
    static let capIpcLock = 14
    static let capSysNice = 23

    /// Whether the effective capability set (CapEff in /proc/self/status)
    /// holds `capability`; nil when it cannot be read.
    static func hasCapability(_ capability: Int) -> Bool? {
        guard let status = try? FileIO.read("/proc/self/status") else { return nil }
        let text = String(decoding: status, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let mask = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(), radix: 16) else { return nil }
        return mask & (1 << UInt64(capability)) != 0
    }

    /// A resource's soft limit; nil when unlimited or unreadable.
    static func softLimit(_ resource: __rlimit_resource_t) -> UInt64? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return UInt64(limit.rlim_cur)
    }

    /// cpu.rt_runtime_us of this process's cgroup v1 cpu controller: exists
    /// only on kernels with CONFIG_RT_GROUP_SCHED. nil when absent.
    static func cgroupRealtimeRuntimeMicros() -> Int64? {
        guard let cgroups = try? FileIO.read("/proc/self/cgroup") else { return nil }
        for line in String(decoding: cgroups, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1].split(separator: ",").contains("cpu") else { continue }
            for mount in ["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu"] {
                if let bytes = try? FileIO.read("\(mount)\(parts[2])/cpu.rt_runtime_us"),
                   let value = Int64(String(decoding: bytes, as: UTF8.self).trimmingCharacters()) {
                    return value
                }
            }
        }
        return nil
    }

    /// Pins the calling thread to one CPU; returns 0 or an errno value.
    static func pinCurrentThread(to cpu: Int) -> Int32 { GNUCalls.pinCurrentThread(to: cpu) }

    /// Sets the calling thread's timer slack; 0 or -1 with errno.
    static func setTimerSlack(_ nanos: UInt) -> Int32 { GNUCalls.prctl(GNUCalls.setTimerSlack, nanos) }

    /// The calling thread's timer slack in nanoseconds (-1 if unknown).
    static func timerSlack() -> Int { Int(GNUCalls.prctl(GNUCalls.getTimerSlack)) }

    static let memlock = __rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue)
    static let rtprio = __rlimit_resource_t(__RLIMIT_RTPRIO.rawValue)
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" }).reversed())
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String { self[...].trimmingCharacters() }
}
