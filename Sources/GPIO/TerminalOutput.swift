import JunctionCore
import Synchronization

/// A head drawn on a terminal: coloured blocks on a TTY, letters otherwise.
///
/// Why: to run the whole cluster on a laptop (or watch one agent over
/// `kubectl logs`) without LEDs. One line is written per lamp change, so a
/// flashing head shows its toggles, like the real LEDs.
public final class TerminalOutput: LightOutput {
    public enum Style: String, Sendable, Hashable, CaseIterable {
        /// ANSI colours when the descriptor is a TTY, letters otherwise.
        case automatic
        case ansi
        case letters
    }

    public let head: String
    public let shutdown: ShutdownAspect
    public var shutdownAspect: Aspect { shutdown.aspect }
    /// Whether lines are coloured (decided once, at init).
    public let usesColour: Bool

    private struct State {
        var open = true
        var last: Lamps?
    }
    private let state = Mutex(State())
    private let fd: Int32

    /// - Parameter fd: where lines go; standard output by default.
    public init(head: String, fd: Int32 = 1, style: Style = .automatic, shutdown: ShutdownAspect = .off) {
        self.head = head
        self.fd = fd
        self.shutdown = shutdown
        switch style {
        case .automatic: usesColour = GPIOSyscalls.isTerminal(fd)
        case .ansi: usesColour = true
        case .letters: usesColour = false
        }
    }

    public func show(_ aspect: Aspect, at time: TimebaseInstant) throws(LightOutputError) {
        let lamps = FlashPhase.lamps(aspect, at: time)
        try state.withLock { (state: inout State) throws(LightOutputError) in
            guard state.open, state.last != lamps else { return }
            try write(Self.render(lamps, head: head, colour: usesColour) + "\n")
            state.last = lamps
        }
    }

    public func close() {
        let lamps = shutdown.aspect.lamps
        state.withLock { state in
            guard state.open else { return }
            if state.last != lamps { try? write(Self.render(lamps, head: head, colour: usesColour) + "\n") }
            state.open = false
        }
    }

    /// One head as text: `north ██ ██ ██` with lit lamps in colour and dark
    /// ones grey, or `north R--` (the `Lamps` letters) without colour.
    public static func render(_ lamps: Lamps, head: String, colour: Bool) -> String {
        guard colour else { return "\(head) \(lamps)" }
        func block(_ lit: Bool, _ code: String) -> String {
            "\u{1B}[\(lit ? code : "90")m\(lit ? "██" : "░░")\u{1B}[0m"
        }
        return "\(head) " + [block(lamps.red, "91"), block(lamps.amber, "93"), block(lamps.green, "92")].joined(separator: " ")
    }

    private func write(_ text: String) throws(LightOutputError) {
        do { try GPIOSyscalls.writeAll(fd, Array(text.utf8), "terminal") } catch { throw .terminalFailed(errno: error) }
    }
}
