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
        }
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
