import CGPIO
import Posix

/// `GPIODevice` backed by the real kernel through `GPIOSyscalls`.
struct KernelGPIODevice: GPIODevice {
    /// Where chip device files live; a parameter so a pod can mount them elsewhere.
    var directory = "/dev"

    func chipPaths() throws(Errno) -> [String] {
        let names = try GPIOSyscalls.listDirectory(directory).filter { $0.hasPrefix("gpiochip") }
        let sorted = names.sorted { a, b in
            let na = Int(a.dropFirst("gpiochip".count)) ?? Int.max
            let nb = Int(b.dropFirst("gpiochip".count)) ?? Int.max
            return na != nb ? na < nb : a < b
        }
        return sorted.map { "\(directory)/\($0)" }
    }

    func open(path: String) throws(Errno) -> ChipHandle {
        ChipHandle(fd: try GPIOSyscalls.openReadWrite(path))
    }

    func chipInfo(_ chip: ChipHandle) throws(Errno) -> gpiochip_info {
        var info = gpiochip_info()
        try GPIOSyscalls.ioctl(chip.fd, GPIOSyscalls.chipInfoRequest, "GPIO_GET_CHIPINFO_IOCTL", &info)
        return info
    }

    func lineInfo(_ chip: ChipHandle, offset: UInt32) throws(Errno) -> gpio_v2_line_info {
        var info = gpio_v2_line_info()
        info.offset = offset
        try GPIOSyscalls.ioctl(chip.fd, GPIOSyscalls.lineInfoRequest, "GPIO_V2_GET_LINEINFO_IOCTL", &info)
        return info
    }

    func requestLines(_ chip: ChipHandle, _ request: inout gpio_v2_line_request) throws(Errno) -> LineRequestHandle {
        try GPIOSyscalls.ioctl(chip.fd, GPIOSyscalls.getLineRequest, "GPIO_V2_GET_LINE_IOCTL", &request)
        return LineRequestHandle(fd: request.fd)
    }

    func setValues(_ lines: LineRequestHandle, _ values: gpio_v2_line_values) throws(Errno) {
        var values = values
        try GPIOSyscalls.ioctl(lines.fd, GPIOSyscalls.setValuesRequest, "GPIO_V2_LINE_SET_VALUES_IOCTL", &values)
    }

    func getValues(_ lines: LineRequestHandle, mask: UInt64) throws(Errno) -> UInt64 {
        var values = gpio_v2_line_values(bits: 0, mask: mask)
        try GPIOSyscalls.ioctl(lines.fd, GPIOSyscalls.getValuesRequest, "GPIO_V2_LINE_GET_VALUES_IOCTL", &values)
        return values.bits & mask
    }

    func setConfig(_ lines: LineRequestHandle, _ config: gpio_v2_line_config) throws(Errno) {
        var config = config
        try GPIOSyscalls.ioctl(lines.fd, GPIOSyscalls.setConfigRequest, "GPIO_V2_LINE_SET_CONFIG_IOCTL", &config)
    }

    func armCrashValues(_ lines: LineRequestHandle, _ values: gpio_v2_line_values) -> CrashSafeLamps.Slot? {
        CrashSafeLamps.arm(lines: lines.fd, values: values)
    }

    func close(_ chip: ChipHandle) { GPIOSyscalls.close(chip.fd) }

    func release(_ lines: LineRequestHandle) { GPIOSyscalls.close(lines.fd) }
}
