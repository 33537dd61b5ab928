/// Which GPIO chip carries the head's lines.
///
/// Why search by label: the Raspberry Pi header chip is `gpiochip0` on a Pi 4,
/// `gpiochip4` on a Pi 5 before kernel 6.6.45 and `gpiochip0` since. Its label
/// (`pinctrl-rp1`, `pinctrl-bcm2711`, `pinctrl-bcm2835`) is stable, so the
/// default finds the right chip on every model and kernel.
public enum GPIOChipSelector: Sendable, Hashable, CustomStringConvertible {
    /// The first chip whose label is one of `raspberryPiHeaderLabels`.
    case raspberryPiHeader
    /// The first chip with exactly this label.
    case label(String)
    /// A kernel chip name such as `gpiochip0`, opened as `/dev/gpiochip0`.
    case name(String)
    /// A device file path such as `/dev/gpiochip4`.
    case path(String)

    /// Labels of the 40-pin header chip: Pi 5, Pi 4, and Pi 3 and older.
    public static let raspberryPiHeaderLabels = ["pinctrl-rp1", "pinctrl-bcm2711", "pinctrl-bcm2835"]

    /// Parses the CLI's `--chip`: `auto` (or empty), a path starting with `/`,
    /// a name `gpiochipN`, `label:X`, or otherwise a label.
    public init(parsing text: String) {
        if text.isEmpty || text == "auto" {
            self = .raspberryPiHeader
        } else if text.hasPrefix("/") {
            self = .path(text)
        } else if text.hasPrefix("label:") {
            self = .label(String(text.dropFirst("label:".count)))
        } else if text.hasPrefix("gpiochip"), Int(text.dropFirst("gpiochip".count)) != nil {
            self = .name(text)
        } else {
            self = .label(text)
        }
    }

    /// The labels a search accepts, or nil when the selector is a file.
    var labels: [String]? {
        switch self {
        case .raspberryPiHeader: Self.raspberryPiHeaderLabels
        case .label(let l): [l]
        case .name, .path: nil
        }
    }

    public var description: String {
        switch self {
        case .raspberryPiHeader: "label \(Self.raspberryPiHeaderLabels.joined(separator: " or "))"
        case .label(let l): "label \(l)"
        case .name(let n): n
        case .path(let p): p
        }
    }
}
