import GPIO
import JunctionCore
import Posix

/// `junction gpio test`: checks a head's wiring by eye before it joins.
enum GPIOCommand {
    static let help = """
    usage: junction gpio test [--chip CHIP] [--pins A,B,C] [--wiring three|rgb] [--active-low]

    Shows red, red+amber, green, amber, red, then dark, about a second each,
    so the lamps can be checked by eye. The lines are left dark.

      --chip CHIP        auto (the Raspberry Pi header), gpiochipN, /dev/gpiochipN or a label
      --pins A,B,C       the lines of red, amber, green (rgb: red, green, blue); default 2,3,4
      --wiring KIND      three (one LED per lamp, default) or rgb (amber = red + green)
      --active-low       the lamps light when the line is low (common anode)
    """

    static func run(_ words: [String]) throws -> Int32 {
        guard let sub = words.first, sub != "--help", sub != "-h", sub != "help" else {
            FileIO.printOut(help + "\n")
            return words.isEmpty ? 2 : 0
        }
        guard sub == "test" else { throw UsageError(message: "junction gpio: unknown subcommand '\(sub)'\n\(help)") }
        let args = try Arguments(Array(words.dropFirst()), command: "junction gpio test",
                                 valueOptions: ["chip", "pins", "wiring"], flagOptions: ["active-low"])
        if args.wantsHelp { FileIO.printOut(help + "\n"); return 0 }
        let wiring: HeadWiring
        do {
            wiring = try HeadWiring.parse(wiring: args.value("wiring", environment: "JUNCTION_WIRING"),
                                          pins: args.value("pins", environment: "JUNCTION_PINS"),
                                          activeLow: args.flag("active-low", environment: "JUNCTION_ACTIVE_LOW"))
        } catch { throw UsageError(message: "junction gpio test: \(error.description)") }
        let chip = GPIOChipSelector(parsing: args.string("chip", environment: "JUNCTION_CHIP", default: "auto"))
        let output: GPIOLightOutput
        do { output = try GPIOLightOutput(chip: chip, wiring: wiring, head: "test", shutdown: .off) } catch {
            throw CommandFailure(message: error.description)
        }
        defer { output.close() }
        FileIO.printOut("chip \(output.chip), lines \(output.offsets.map(String.init).joined(separator: ",")) (\(wiring))\n")
        do {
            try GPIOWiringTest().run(on: output) { index, aspect in
                FileIO.printOut("\(index + 1)/\(GPIOWiringTest.sequence.count) \(aspect)\n")
            }
        } catch { throw CommandFailure(message: error.description) }
        return 0
    }
}
