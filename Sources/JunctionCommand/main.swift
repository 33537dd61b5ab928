// The `junction` command line: one binary for every role, so a single small
// static image serves the coordinator Deployment and the agent StatefulSet.
import Posix
import Runtime

let usage = """
usage: junction <command> [options]

commands:
  simulate    run a coordinator and agents on this machine and watch them live
              (--virtual: the whole cluster in virtual time from a seed)
  agent       run one board's agent: follow the timebase, drive the light
  coordinator send ticks and the plan to every agent; its HTTP port serves the web view
  status      print the cluster as a coordinator sees it (--watch, --json)
  gpio        test a head's wiring
  plan        check, show and print example signal plans
  help        this text
  version     the release, Swift version and CPU this binary was built for

Run 'junction <command> --help' for a command's options.
"""

func runMain() -> Int32 {
    let words = Array(CommandLine.arguments.dropFirst())
    guard let command = words.first else {
        FileIO.printError(usage + "\n")
        return 2
    }
    let rest = Array(words.dropFirst())
    do {
        switch command {
        case "plan": return try PlanCommand.run(rest)
        case "simulate" where rest.contains("--virtual"): return try VirtualSimulateCommand.run(rest)
        case "simulate": return try LiveSimulateCommand.run(rest)
        case "agent": return try AgentCommand.run(rest)
        case "coordinator": return try CoordinatorCommand.run(rest)
        case "status": return try StatusCommand.run(rest)
        case "gpio": return try GPIOCommand.run(rest)
        case "version", "--version":
            FileIO.printOut(BuildInfo.line + "\n")
            return 0
        case "help", "--help", "-h":
            FileIO.printOut(usage + "\n")
            return 0
        default:
            throw UsageError(message: "junction: unknown command '\(command)'\n\(usage)")
        }
    } catch let error as UsageError {
        FileIO.printError(error.message + "\n")
        return 2
    } catch let error as CommandFailure {
        FileIO.printError("junction: \(error.message)\n")
        return 1
    } catch {
        FileIO.printError("junction: \(error)\n")
        return 1
    }
}

exitProcess(runMain())
