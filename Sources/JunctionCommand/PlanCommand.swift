import JunctionCore
import Posix

/// `junction plan check|show|example`: read and explain signal plans.
enum PlanCommand {
    static let help = """
    usage: junction plan check FILE...
           junction plan show [--width N] [--colour|--no-colour] FILE
           junction plan example crossroads|corridor

    check    validate plans; exit 0 when all are valid, 1 with one line per refused plan
    show     print a timing diagram of one cycle: a row per group of each junction
    example  print a shipped example plan as JSON (redirect it to a file to start your own)
    """

    static func run(_ words: [String]) throws -> Int32 {
        guard let sub = words.first else { throw UsageError(message: help) }
        let rest = Array(words.dropFirst())
        switch sub {
        case "check": return try check(rest)
        case "show": return try show(rest)
        case "example": return try example(rest)
        case "--help", "-h", "help": FileIO.printOut(help + "\n"); return 0
        default: throw UsageError(message: "junction plan: unknown subcommand '\(sub)'\n\(help)")
        }
    }

    /// Loads and validates a plan file; the error names file, field and rule.
    static func load(_ path: String) throws -> SignalPlan {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw CommandFailure(message: "cannot read plan \(path): \(error.description)") }
        do { return try SignalPlan.load(bytes, source: path) } catch { throw CommandFailure(message: error.description) }
    }

    private static func check(_ words: [String]) throws -> Int32 {
        let args = try Arguments(words, command: "junction plan check", valueOptions: [], flagOptions: [])
        if args.wantsHelp { FileIO.printOut(help + "\n"); return 0 }
        guard !args.positional.isEmpty else { throw UsageError(message: "junction plan check: name at least one plan file") }
        var failed = false
        for path in args.positional {
            do {
                let plan = try load(path)
                FileIO.printOut("\(path): ok (\(plan.name): cycle \(formatSeconds(plan.cycleNanos)), \(plan.groups.count) groups, \(plan.phases.count) phases, \(plan.junctions.count) junction\(plan.junctions.count == 1 ? "" : "s"), \(plan.heads.count) heads)\n")
            } catch let failure as CommandFailure {
                FileIO.printError("junction: \(failure.message)\n")
                failed = true
            }
        }
        return failed ? 1 : 0
    }

    private static func show(_ words: [String]) throws -> Int32 {
        let args = try Arguments(words, command: "junction plan show", valueOptions: ["width"], flagOptions: ["colour", "no-colour"])
        if args.wantsHelp { FileIO.printOut(help + "\n"); return 0 }
        guard args.positional.count == 1 else { throw UsageError(message: "junction plan show: name one plan file") }
        let width = try args.integer("width", default: 72, range: 12...400)
        let colour = args.flag("colour") || (!args.flag("no-colour") && TerminalStyle.supportsColour(fd: 1))
        let plan = try load(args.positional[0])
        FileIO.printOut(TimingDiagram(plan: plan, width: width, colour: colour).render() + "\n")
        return 0
    }

    private static func example(_ words: [String]) throws -> Int32 {
        guard words.count == 1, let text = ExamplePlans.text(named: words[0]) else {
            throw UsageError(message: "junction plan example: name one of \(ExamplePlans.names.joined(separator: ", "))")
        }
        FileIO.printOut(text)
        return 0
    }
}

/// Whether to colour output: a terminal, not `TERM=dumb`, and no `NO_COLOR`.
enum TerminalStyle {
    static func supportsColour(fd: Int32) -> Bool {
        FileIO.isTerminal(fd) && FileIO.environment("NO_COLOR") == nil && FileIO.environment("TERM") != "dumb"
    }
}
