/// Which GPIO chip a head was found on, for logs and error messages.
public struct GPIOChipIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The device file, e.g. `/dev/gpiochip0`.
    public var path: String
    /// The kernel's name, e.g. `gpiochip0`.
    public var name: String
    /// The driver label, e.g. `pinctrl-bcm2711`; may be empty.
    public var label: String
    /// Number of lines on the chip.
    public var lineCount: Int

    public init(path: String, name: String, label: String, lineCount: Int) {
        self.path = path
        self.name = name
        self.label = label
        self.lineCount = lineCount
    }

    public var description: String {
        let shown = name.isEmpty ? path : name
        return label.isEmpty ? "\(shown) (\(path))" : "\(shown) [\(label)] (\(path))"
    }
}
