/// Why a wiring spec could not be parsed; says which flag to fix.
public enum WiringSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownKind(String)
    case wrongPinCount(String, kind: String)
    case badPin(String)
    case unknownFlag(String)
    case missingValue(String)

    public var description: String {
        switch self {
        case .unknownKind(let k):
            "unknown --wiring '\(k)'; use 'three' (red,amber,green LEDs) or 'rgb' (red,green,blue module)"
        case .wrongPinCount(let pins, let kind):
            "--pins '\(pins)' must list exactly three pins for --wiring \(kind), e.g. --pins 2,3,4"
        case .badPin(let p):
            "--pins entry '\(p)' is empty; give a BCM number like 17 or a line name like GPIO17"
        case .unknownFlag(let f):
            "unknown wiring flag '\(f)'; use --wiring, --pins or --active-low"
        case .missingValue(let f):
            "\(f) needs a value, e.g. \(f == "--pins" ? "--pins 2,3,4" : "--wiring rgb")"
        }
    }
}

extension HeadWiring {
    /// Builds a wiring from the CLI values: `wiring` is `three` (default) or
    /// `rgb`, `pins` a comma list of offsets or names (default `2,3,4`).
    public static func parse(wiring: String? = nil, pins: String? = nil, activeLow: Bool = false) throws(WiringSpecError) -> HeadWiring {
        let kindText = wiring ?? Kind.threeLamps.rawValue
        guard let kind = Kind(rawValue: kindText.lowercased()) ?? (kindText.lowercased() == "three-lamps" ? .threeLamps : nil) else {
            throw .unknownKind(kindText)
        }
        guard let pins else {
            if kind == .threeLamps { return .threeLamps(activeLow: activeLow) }
            throw .missingValue("--pins")
        }
        let parts = pins.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { throw .wrongPinCount(pins, kind: kind.rawValue) }
        var lines: [GPIOLine] = []
        for part in parts {
            guard let line = GPIOLine(parsing: part) else { throw .badPin(part) }
            lines.append(line)
        }
        return HeadWiring(kind: kind, lines: lines, activeLow: activeLow)
    }

    /// Parses exactly the wiring flags: `--wiring K`, `--pins P`, `--active-low`
    /// (also `--pins=P` and `--wiring=K`). Other flags are an error, so the CLI
    /// hands over only the flags it did not consume itself.
    public static func parse(arguments: [String]) throws(WiringSpecError) -> HeadWiring {
        var wiring: String?
        var pins: String?
        var activeLow = false
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            let (flag, inline) = splitFlag(arg)
            switch flag {
            case "--active-low":
                activeLow = true
            case "--wiring", "--pins":
                let value: String
                if let inline { value = inline } else {
                    i += 1
                    guard i < arguments.count else { throw .missingValue(flag) }
                    value = arguments[i]
                }
                if flag == "--wiring" { wiring = value } else { pins = value }
            default:
                throw .unknownFlag(arg)
            }
            i += 1
        }
        return try parse(wiring: wiring, pins: pins, activeLow: activeLow)
    }

    private static func splitFlag(_ arg: String) -> (String, String?) {
        guard let eq = arg.firstIndex(of: "=") else { return (arg, nil) }
        return (String(arg[..<eq]), String(arg[arg.index(after: eq)...]))
    }
}
