import CGPIO
import Posix
import Synchronization
@testable import GPIO

/// A GPIO "kernel" in memory: chips with labelled, named lines; records every
/// request and value write; can fail opens and requests with a chosen errno.
final class FakeGPIODevice: GPIODevice {
    struct Chip {
        var name: String
        var label: String
        var lineNames: [String]
        /// Offset -> consumer of lines held by someone else.
        var held: [UInt32: String] = [:]
        /// Offset -> value of lines that are outputs (a released request the
        /// kernel keeps driving, or one held now).
        var outputs: [UInt32: Bool] = [:]
    }

    struct State {
        var chips: [String: Chip] = [:]
        var openErrors: [String: Int32] = [:]
        var openChips: [Int32: String] = [:]
        var nextFd: Int32 = 100
        var requests: [gpio_v2_line_request] = []
        var requestFds: Set<Int32> = []
        var released: [Int32] = []
        var writes: [gpio_v2_line_values] = []
        var setError: Int32?
        /// Request fd -> (chip path, offsets).
        var requestLines: [Int32: (chip: String, offsets: [UInt32])] = [:]
        var configs: [gpio_v2_line_config] = []
        var armed: [(fd: Int32, values: gpio_v2_line_values)] = []
    }
    let state = Mutex(State())

    init(_ chips: [(path: String, chip: Chip)]) {
        state.withLock { s in for (p, c) in chips { s.chips[p] = c } }
    }

    /// A Pi 4 style header chip at /dev/gpiochip0 with lines named GPIO0...GPIO57.
    static func pi4() -> FakeGPIODevice {
        FakeGPIODevice([("/dev/gpiochip0", Chip(name: "gpiochip0", label: "pinctrl-bcm2711",
                                                  lineNames: (0..<58).map { "GPIO\($0)" }))])
    }

    var requests: [gpio_v2_line_request] { state.withLock { $0.requests } }
    var writes: [gpio_v2_line_values] { state.withLock { $0.writes } }
    var released: [Int32] { state.withLock { $0.released } }
    var configs: [gpio_v2_line_config] { state.withLock { $0.configs } }
    var armed: [(fd: Int32, values: gpio_v2_line_values)] { state.withLock { $0.armed } }

    /// Makes lines outputs at these values, as a crashed predecessor left them.
    func driveAsOutputs(_ values: [UInt32: Bool], chip path: String = "/dev/gpiochip0") {
        state.withLock { s in for (offset, on) in values { s.chips[path]?.outputs[offset] = on } }
    }

    /// What the lines show now (nil: not an output).
    func lineValue(_ offset: UInt32, chip path: String = "/dev/gpiochip0") -> Bool? {
        state.withLock { $0.chips[path]?.outputs[offset] }
    }
    var openChipCount: Int { state.withLock { $0.openChips.count } }

    func chipPaths() throws(Errno) -> [String] {
        state.withLock { Array($0.chips.keys).sorted() }
    }

    func open(path: String) throws(Errno) -> ChipHandle {
        try state.withLock { (s: inout State) throws(Errno) -> ChipHandle in
            if let code = s.openErrors[path] { throw Errno(rawValue: code, operation: "open \(path)") }
            guard s.chips[path] != nil else { throw Errno(rawValue: Errno.noEntry, operation: "open \(path)") }
            s.nextFd += 1
            s.openChips[s.nextFd] = path
            return ChipHandle(fd: s.nextFd)
        }
    }

    private func chip(_ handle: ChipHandle, _ s: State) throws(Errno) -> Chip {
        guard let path = s.openChips[handle.fd], let chip = s.chips[path] else {
            throw Errno(rawValue: 9, operation: "fake: bad chip fd \(handle.fd)")
        }
        return chip
    }

    func chipInfo(_ handle: ChipHandle) throws(Errno) -> gpiochip_info {
        let c = try state.withLock { (s: inout State) throws(Errno) in try chip(handle, s) }
        var info = gpiochip_info()
        GPIOCStrings.store(c.name, into: &info.name)
        GPIOCStrings.store(c.label, into: &info.label)
        info.lines = UInt32(c.lineNames.count)
        return info
    }

    func lineInfo(_ handle: ChipHandle, offset: UInt32) throws(Errno) -> gpio_v2_line_info {
        let c = try state.withLock { (s: inout State) throws(Errno) in try chip(handle, s) }
        guard Int(offset) < c.lineNames.count else { throw Errno(rawValue: 22, operation: "fake lineinfo") }
        var info = gpio_v2_line_info()
        info.offset = offset
        GPIOCStrings.store(c.lineNames[Int(offset)], into: &info.name)
        if let consumer = c.held[offset] {
            GPIOCStrings.store(consumer, into: &info.consumer)
            info.flags = GPIOLineRequest.usedFlag
        }
        if c.outputs[offset] != nil { info.flags |= GPIOLineRequest.outputFlag }
        return info
    }

    func requestLines(_ handle: ChipHandle, _ request: inout gpio_v2_line_request) throws(Errno) -> LineRequestHandle {
        let req = request
        let fd = try state.withLock { (s: inout State) throws(Errno) -> Int32 in
            let c = try chip(handle, s)
            s.requests.append(req)
            for offset in GPIOLineRequest.offsets(of: req) where c.held[offset] != nil {
                throw Errno(rawValue: Errno.busy, operation: "GPIO_V2_GET_LINE_IOCTL")
            }
            s.nextFd += 1
            s.requestFds.insert(s.nextFd)
            let path = s.openChips[handle.fd]!
            let offsets = GPIOLineRequest.offsets(of: req)
            s.requestLines[s.nextFd] = (path, offsets)
            // Output with initial values sets them; a request as-is changes nothing.
            if req.config.flags & GPIOLineRequest.outputFlag != 0 {
                for (i, offset) in offsets.enumerated() {
                    s.chips[path]?.outputs[offset] = req.config.attrs.0.attr.values & (1 << UInt64(i)) != 0
                }
            }
            return s.nextFd
        }
        request.fd = fd
        return LineRequestHandle(fd: fd)
    }

    func setValues(_ lines: LineRequestHandle, _ values: gpio_v2_line_values) throws(Errno) {
        try state.withLock { (s: inout State) throws(Errno) in
            guard s.requestFds.contains(lines.fd) else { throw Errno(rawValue: 9, operation: "fake: set on released fd") }
            if let code = s.setError { throw Errno(rawValue: code, operation: "GPIO_V2_LINE_SET_VALUES_IOCTL") }
            s.writes.append(values)
            drive(lines.fd, values, &s)
        }
    }

    private func drive(_ fd: Int32, _ values: gpio_v2_line_values, _ s: inout State) {
        guard let (path, offsets) = s.requestLines[fd] else { return }
        for (i, offset) in offsets.enumerated() where values.mask & (1 << UInt64(i)) != 0 {
            s.chips[path]?.outputs[offset] = values.bits & (1 << UInt64(i)) != 0
        }
    }

    func getValues(_ lines: LineRequestHandle, mask: UInt64) throws(Errno) -> UInt64 {
        state.withLock { s in
            guard let (path, offsets) = s.requestLines[lines.fd] else { return 0 }
            var bits: UInt64 = 0
            for (i, offset) in offsets.enumerated() where s.chips[path]?.outputs[offset] == true { bits |= 1 << UInt64(i) }
            return bits & mask
        }
    }

    func setConfig(_ lines: LineRequestHandle, _ config: gpio_v2_line_config) throws(Errno) {
        state.withLock { s in
            s.configs.append(config)
            if config.flags & GPIOLineRequest.outputFlag != 0 {
                drive(lines.fd, gpio_v2_line_values(bits: config.attrs.0.attr.values, mask: config.attrs.0.mask), &s)
            }
        }
    }

    func armCrashValues(_ lines: LineRequestHandle, _ values: gpio_v2_line_values) -> CrashSafeLamps.Slot? {
        state.withLock { $0.armed.append((lines.fd, values)) }
        return nil
    }

    func close(_ handle: ChipHandle) {
        state.withLock { _ = $0.openChips.removeValue(forKey: handle.fd) }
    }

    func release(_ lines: LineRequestHandle) {
        state.withLock { s in
            s.requestFds.remove(lines.fd)
            s.released.append(lines.fd)
        }
    }
}
