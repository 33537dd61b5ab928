import CGPIO
import JunctionCore
import Synchronization

/// A signal head on real LEDs, driven through the Linux GPIO character device
/// (uAPI v2). No `/dev/mem` or `/dev/gpiomem`: the kernel arbitrates the
/// lines, so a second process asking for them gets a clear `lineBusy`.
///
/// Lines that are outputs already (a crashed predecessor's, still driven by
/// the kernel) are taken over as they are and read, so the agent can clear
/// a retained green through amber (`retainedAspect`); lines that are not
/// (a fresh boot) are requested as outputs at the shutdown state, so the
/// LEDs never flash a random state at start-up. On `close`, and on a fatal
/// signal (`CrashSafeLamps`), they are returned to the shutdown state.
public final class GPIOLightOutput: LightOutput {
    public let head: String
    /// The chip the lines were found on, for the start-up log line.
    public let chip: GPIOChipIdentity
    /// The requested line offsets, in `wiring.lines` order.
    public let offsets: [UInt32]
    public let wiring: HeadWiring
    public let shutdown: ShutdownAspect
    public var shutdownAspect: Aspect { shutdown.aspect }

    public let retainedAspect: Aspect?

    private struct State {
        var lines: LineRequestHandle?
        var lastValues: [Bool]
        var crashSlot: CrashSafeLamps.Slot?
    }
    private let state: Mutex<State>
    private let driver: GPIOChip
    /// The line values and the ioctl argument for each set of lamps (index:
    /// red 1, amber 2, green 4), built once: a light change does no work
    /// but the write.
    private let prepared: [(values: [Bool], request: gpio_v2_line_values)]

    static func index(of lamps: Lamps) -> Int {
        (lamps.red ? 1 : 0) | (lamps.amber ? 2 : 0) | (lamps.green ? 4 : 0)
    }

    /// Opens the chip, resolves and requests the head's lines.
    ///
    /// - Parameters:
    ///   - chip: which chip; the default finds the Raspberry Pi header chip.
    ///   - wiring: the head's lines and polarity.
    ///   - head: the name used in logs.
    ///   - shutdown: shown from the moment the lines are requested until the
    ///     first `show`, and again on `close`.
    ///   - deviceDirectory: where `gpiochipN` files are; `/dev` unless a pod
    ///     mounts them elsewhere.
    public convenience init(
        chip: GPIOChipSelector = .raspberryPiHeader, wiring: HeadWiring = .threeLamps(),
        head: String = "head", shutdown: ShutdownAspect = .off, deviceDirectory: String = "/dev"
    ) throws(LightOutputError) {
        try self.init(device: KernelGPIODevice(directory: deviceDirectory), chip: chip, wiring: wiring,
                      head: head, shutdown: shutdown, deviceDirectory: deviceDirectory)
    }

    init(
        device: any GPIODevice, chip selector: GPIOChipSelector, wiring: HeadWiring,
        head: String, shutdown: ShutdownAspect, deviceDirectory: String = "/dev"
    ) throws(LightOutputError) {
        let chip = try GPIOChip.open(selector, device: device, directory: deviceDirectory)
        defer { chip.close() }  // the line request keeps working without the chip fd
        let offsets = try chip.resolve(wiring.lines)
        let shutdownValues = wiring.lineValues(for: shutdown.aspect.lamps)
        let (lines, initial, retained) = try chip.requestKeepingValues(offsets, activeLow: wiring.activeLow, otherwise: shutdownValues)
        let slot = device.armCrashValues(lines, GPIOLineRequest.values(shutdownValues))
        self.retainedAspect = retained ? wiring.aspect(fromLineValues: initial) : nil
        self.head = head
        self.chip = chip.identity
        self.offsets = offsets
        self.wiring = wiring
        self.shutdown = shutdown
        self.driver = chip
        self.prepared = (0..<8).map { bits in
            let values = wiring.lineValues(for: Lamps(red: bits & 1 != 0, amber: bits & 2 != 0, green: bits & 4 != 0))
            return (values, GPIOLineRequest.values(values))
        }
        self.state = Mutex(State(lines: lines, lastValues: initial, crashSlot: slot))
    }

    deinit { close() }

    public func show(_ aspect: Aspect, at time: TimebaseInstant) throws(LightOutputError) {
        let (values, request) = prepared[Self.index(of: FlashPhase.lamps(aspect, at: time))]
        try state.withLock { (state: inout State) throws(LightOutputError) in
            guard let lines = state.lines, values != state.lastValues else { return }
            try driver.setValues(lines, request)
            state.lastValues = values
        }
    }

    public func close() {
        let values = wiring.lineValues(for: shutdown.aspect.lamps)
        state.withLock { state in
            guard let lines = state.lines else { return }
            // Best effort: the release must happen even if the set fails. What a
            // released line does is up to the driver; the Raspberry Pi pinctrl
            // drivers keep driving the last value, so this value is what stays.
            try? driver.setValues(lines, values)
            state.lastValues = values
            CrashSafeLamps.disarm(state.crashSlot)
            state.crashSlot = nil
            driver.device.release(lines)
            state.lines = nil
        }
    }
}
