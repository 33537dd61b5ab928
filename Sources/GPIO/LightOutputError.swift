import Posix

/// Why a light output could not be opened or driven. Each message names the
/// chip, line or file involved and says what to change.
public enum LightOutputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No `/dev/gpiochip*` at all.
    case noChips(directory: String)
    /// No chip matched the selector; `seen` lists the chips that were found.
    case chipNotFound(selector: String, seen: [String])
    /// An explicitly named chip device file does not exist.
    case chipMissing(path: String)
    /// The process may not open the chip device.
    case permissionDenied(path: String)
    /// Opening or querying the chip failed for another reason.
    case chipFailed(path: String, errno: Errno)
    /// No line of the chip carries this name.
    case unknownLineName(String, chip: String)
    /// The offset is not a line of the chip.
    case lineOutOfRange(offset: UInt32, chip: String, lineCount: Int)
    /// The wiring uses the same line for two lamps.
    case duplicateLine(String, chip: String)
    /// Another process (or another head) holds the line (`EBUSY`).
    case lineBusy(line: String, chip: String, consumer: String)
    /// `GPIO_V2_GET_LINE_IOCTL` failed for another reason.
    case requestFailed(lines: String, chip: String, errno: Errno)
    /// Setting line values failed.
    case setFailed(chip: String, errno: Errno)
    /// The recording file could not be opened or written.
    case recordingFailed(path: String, errno: Errno)
    /// The terminal could not be written.
    case terminalFailed(errno: Errno)

    public var description: String {
        switch self {
        case .noChips(let directory):
            "no GPIO chip: \(directory)/gpiochip* does not exist; on Kubernetes mount the host's /dev/gpiochipN into the pod (hostPath device) or use --output terminal"
        case .chipNotFound(let selector, let seen):
            "no GPIO chip matches \(selector); found \(seen.isEmpty ? "none" : seen.joined(separator: ", ")); pass --chip gpiochipN or the chip's label"
        case .chipMissing(let path):
            "GPIO chip \(path) does not exist; list /dev/gpiochip* and pass one of them with --chip"
        case .permissionDenied(let path):
            "permission denied opening GPIO chip \(path); run as root, add the user to the 'gpio' group, or give the pod access to the device"
        case .chipFailed(let path, let errno):
            "GPIO chip \(path) failed: \(errno)"
        case .unknownLineName(let name, let chip):
            "GPIO chip \(chip) has no line named \(name); use the BCM number (e.g. 17) or a name from `gpioinfo`"
        case .lineOutOfRange(let offset, let chip, let lineCount):
            "GPIO chip \(chip) has lines 0..<\(lineCount); line \(offset) does not exist; check --pins"
        case .duplicateLine(let line, let chip):
            "line \(line) of GPIO chip \(chip) is wired to two lamps; give each lamp its own pin in --pins"
        case .lineBusy(let line, let chip, let consumer):
            "line \(line) of GPIO chip \(chip) is busy, held by \(consumer.isEmpty ? "another consumer" : "'\(consumer)'"); stop that process (or the other junction agent) or choose other pins"
        case .requestFailed(let lines, let chip, let errno):
            "requesting lines \(lines) of GPIO chip \(chip) as outputs failed: \(errno)"
        case .setFailed(let chip, let errno):
            "setting line values on GPIO chip \(chip) failed: \(errno)"
        case .recordingFailed(let path, let errno):
            "recording file \(path) failed: \(errno); check that its directory exists and is writable"
        case .terminalFailed(let errno):
            "writing the terminal failed: \(errno)"
        }
    }
}
