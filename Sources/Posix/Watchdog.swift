#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The Linux watchdog device (`/dev/watchdog`), petted by the agent.
///
/// Why: SIGKILL and the OOM killer run no code, and the Raspberry Pi kernel
/// keeps driving a released GPIO line, so a dead agent would leave its last
/// lamp lit (perhaps green) while the junction cycles on. Opening the
/// device arms the hardware watchdog; if no write reaches it within its
/// timeout (about 15 s on a Pi), the board resets and the GPIO lines return
/// to inputs (pulled down: dark). A clean stop writes the magic 'V' before
/// closing, which disarms it (unless the kernel was built with nowayout).
public final class Watchdog: Sendable {
    public let path: String
    private struct State {
        var fd: Int32?
        var lastPetNanos: Int64 = .min
        var pets: UInt64 = 0
    }
    private let state: Mutex<State>
    /// Pets closer together than this are skipped: the timing thread loops
    /// every 20 ms, the device needs one write every few seconds.
    public let minimumIntervalNanos: Int64

    /// Opens (arms) the watchdog.
    public init(path: String, minimumIntervalNanos: Int64 = 500_000_000) throws(Errno) {
        let fd = try Errno.retryingOnInterrupt("open \(path)") { open(path, O_WRONLY | O_CLOEXEC) }
        self.path = path
        self.minimumIntervalNanos = minimumIntervalNanos
        state = Mutex(State(fd: fd))
    }

    /// Writes one keep-alive byte, unless one was written in the last
    /// `minimumIntervalNanos`. Returns false if the write failed.
    @discardableResult
    public func pet(nowNanos: Int64) -> Bool {
        state.withLock { s in
            guard let fd = s.fd else { return false }
            if s.lastPetNanos != .min && nowNanos - s.lastPetNanos < minimumIntervalNanos { return true }
            guard (try? FileIO.writeAll(fd, [UInt8(ascii: "p")])) != nil else { return false }
            s.lastPetNanos = nowNanos
            s.pets += 1
            return true
        }
    }

    /// How many keep-alive writes went out.
    public var pets: UInt64 { state.withLock { $0.pets } }

    /// The clean stop: the magic close character 'V', then close, so the
    /// board is not reset after an orderly shutdown. Idempotent.
    public func closeCleanly() {
        state.withLock { s in
            guard let fd = s.fd else { return }
            try? FileIO.writeAll(fd, [UInt8(ascii: "V")])
            _ = Glibc.close(fd)
            s.fd = nil
        }
    }

    deinit {
        // Not a clean stop: close without 'V' (the watchdog stays armed).
        state.withLock { s in if let fd = s.fd { _ = Glibc.close(fd) } }
    }
}
