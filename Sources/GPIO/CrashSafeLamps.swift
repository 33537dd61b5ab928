import CGPIO
import Posix

/// Puts every head into its shutdown aspect when the process dies of a
/// fatal signal (a Swift trap, a segfault, an abort).
///
/// Why: the Raspberry Pi kernel keeps driving a released GPIO line, so a
/// crash would leave the last aspect lit, perhaps green, while the rest of
/// the junction cycles on. The handler (C, in CGPIO) runs only prebuilt
/// actions: each output arms one slot when it opens (the shutdown values
/// for its line request, or the tail of its recording line) and disarms it
/// before closing its descriptor. The handler then re-raises the signal with
/// its default action, so the process still ends at once (the runtime's
/// backtrace is not printed: the lamps come first, then a prompt exit).
public enum CrashSafeLamps {
    /// One armed action.
    public struct Slot: Sendable, Hashable {
        let index: Int32
    }

    /// Installs the handler for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT and
    /// SIGTRAP. Call it early in `main`; idempotent.
    public static func install() throws(Errno) {
        guard cgpio_crash_install() == 0 else { throw Errno.current("sigaction (fatal signals)") }
    }

    /// On a fatal signal, set the lines of `fd` to `values` (one ioctl).
    static func arm(lines fd: Int32, values: gpio_v2_line_values) -> Slot? {
        let index = cgpio_crash_arm_lines(fd, values.bits, values.mask)
        return index < 0 ? nil : Slot(index: index)
    }

    /// On a fatal signal, write `{"t":<monotonic ns>` + `tail` to `fd`.
    static func arm(record fd: Int32, tail: String) -> Slot? {
        let bytes = Array(tail.utf8)
        let index = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cgpio_crash_arm_record(fd, $0.baseAddress, UInt(buffer.count)) }
        }
        return index < 0 ? nil : Slot(index: index)
    }

    static func disarm(_ slot: Slot?) {
        if let slot { cgpio_crash_disarm(slot.index) }
    }

    /// Runs the armed actions now, as the handler would (for tests).
    static func runActionsForTesting() { cgpio_crash_run_actions() }
}
