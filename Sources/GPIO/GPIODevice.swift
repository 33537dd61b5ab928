import CGPIO
import Posix

/// An open `/dev/gpiochipN`. A distinct type from a line request so the two
/// descriptors cannot be mixed up.
struct ChipHandle: Sendable, Hashable {
    var fd: Int32
}

/// The descriptor the kernel returns for a set of requested lines.
struct LineRequestHandle: Sendable, Hashable {
    var fd: Int32
}

/// The handful of GPIO character-device operations junction uses.
///
/// Why a protocol: the kernel is the only implementation in production, but
/// the chip search, line-name resolution, request building, value masks and
/// error mapping all sit above it, and tests exercise them against
/// `FakeGPIODevice` on machines with no GPIO chip. Failures are the raw
/// `Errno`; `GPIOChip` turns them into messages naming chip and line.
protocol GPIODevice: Sendable {
    /// Paths of the chip device files, e.g. `/dev/gpiochip0`, in number order.
    func chipPaths() throws(Errno) -> [String]
    func open(path: String) throws(Errno) -> ChipHandle
    func chipInfo(_ chip: ChipHandle) throws(Errno) -> gpiochip_info
    func lineInfo(_ chip: ChipHandle, offset: UInt32) throws(Errno) -> gpio_v2_line_info
    /// `GPIO_V2_GET_LINE_IOCTL`: on success the kernel fills `request.fd`.
    func requestLines(_ chip: ChipHandle, _ request: inout gpio_v2_line_request) throws(Errno) -> LineRequestHandle
    func setValues(_ lines: LineRequestHandle, _ values: gpio_v2_line_values) throws(Errno)
    /// `GPIO_V2_LINE_GET_VALUES_IOCTL`: the logical values of the lines in `mask`.
    func getValues(_ lines: LineRequestHandle, mask: UInt64) throws(Errno) -> UInt64
    /// `GPIO_V2_LINE_SET_CONFIG_IOCTL`: reconfigures the requested lines.
    func setConfig(_ lines: LineRequestHandle, _ config: gpio_v2_line_config) throws(Errno)
    /// Arms the crash guard: on a fatal signal, set `lines` to `values`.
    func armCrashValues(_ lines: LineRequestHandle, _ values: gpio_v2_line_values) -> CrashSafeLamps.Slot?
    func close(_ chip: ChipHandle)
    func release(_ lines: LineRequestHandle)
}
