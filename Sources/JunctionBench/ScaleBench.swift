import JunctionCore
import Posix
import Protocol
import Synchronization

/// Benchmarks of the Scale area: one real `junction coordinator` process
/// ticking N agents (default 10,000) over real loopback sockets.
///
/// Each agent is a socket bound to its own loopback address 127.1.x.y (all of
/// 127/8 is local on Linux), so the coordinator holds N distinct peers. One
/// thread of this process plays all of them: every second each socket sends
/// a sealed Report naming the plans the ticks carry, as an agent holding them
/// would (so the coordinator's receive path, HMAC checks and agent records
/// run too), and it drains every socket, opening each datagram and keeping
/// each tick's kernel receive stamp (plan chunks and the like are counted,
/// not timed: they are not part of a round). On loopback the stamp is taken
/// inside the coordinator's `sendto`, so the spread of one round's stamps is
/// the time the coordinator takes to send one round, first tick to last. The coordinator's CPU comes
/// from /proc/PID/stat over the measured window. Rounds are told apart by a
/// gap of more than 20 ms between stamps (rounds are 100 ms apart; a round at
/// a phase change may merge with the next, and is then left out as not one
/// round of N ticks).
enum ScaleBench {
    static let agentPort: UInt16 = 17_070
    static let coordinatorPort: UInt16 = 27_900

    struct Result {
        var agents = 0
        var cpuFraction = 0.0
        var cpuSeconds = 0.0
        var ticksSeen = 0
        var rounds: [(spanNanos: Int64, ticks: Int)] = []
        var reportsSent = 0
        /// Datagrams other than ticks and solicits seen while measuring.
        var otherDatagrams = 0
        /// The floor: one thread sending N bare datagrams to the same N
        /// sockets, first to last, by the same kernel stamps (one per round).
        var floorSpans: [Int64] = []
        /// The same with two threads, each sending half: what splitting a
        /// round between the machine's cores could reach at best.
        var twoThreadFloorSpans: [Int64] = []
        var failure: String?
    }

    static func run(into table: inout BenchTable, agents: Int, seconds: Int) {
        let r = measure(agents: agents, seconds: seconds)
        if let failure = r.failure {
            table.add("scale", "\(agents) agents on loopback", 0, "n/a", goal: failure, met: false)
            return
        }
        // CPU per tick actually sent, scaled to 10 ticks/s: on a busy machine
        // the coordinator may fall behind the tick rate, and its CPU per
        // second would then understate what N agents at 10 Hz need.
        let needed = r.ticksSeen > 0 ? r.cpuSeconds / Double(r.ticksSeen) * Double(agents) * 10 : .infinity
        table.add("scale", "\(agents) agents: ticks seen / due at 10 Hz", Double(r.ticksSeen) / Double(agents * 10 * seconds) * 100, "%")
        table.add("scale", "\(agents) agents at 10 Hz: coordinator CPU", needed * 100, "% of a core",
                  goal: "<= 100%", met: needed <= 1)
        table.add("scale", "coordinator CPU per 1,000 agents at 10 Hz", needed * 100 / (Double(agents) / 1000), "% of a core")
        let full = r.rounds.filter { $0.ticks >= agents * 9 / 10 && $0.ticks <= agents * 11 / 10 }
        guard let round = milliseconds(full.map(\.spanNanos)) else {
            table.add("scale", "tick round (first to last)", 0, "n/a", goal: "no complete round seen", met: false)
            return
        }
        table.add("scale", "tick round first-to-last p50 (\(full.count) rounds)", round.p50, "ms")
        table.add("scale", "tick round first-to-last p99", round.p99, "ms", goal: "<= 20 ms", met: round.p99 <= 20)
        table.add("scale", "tick round first-to-last max", round.max, "ms")
        if let floor = milliseconds(r.floorSpans) {
            table.add("scale", "floor: \(agents) bare sendto, one thread, first-to-last p50 (\(r.floorSpans.count) rounds)", floor.p50, "ms")
            table.add("scale", "floor: bare sendto p99", floor.p99, "ms")
        }
        if let two = milliseconds(r.twoThreadFloorSpans) {
            // The coordinator sends rounds this large on two threads (`SendSplit`).
            table.add("scale", "floor: \(agents) bare sendto, two threads, first-to-last p50 (\(r.twoThreadFloorSpans.count) rounds)", two.p50, "ms")
            table.add("scale", "floor: two threads p99", two.p99, "ms",
                      goal: "the 20 ms goal is reachable here only if this is", met: two.p99 <= 20)
            table.add("scale", "tick round p50 / two-thread floor p50", round.p50 / two.p50, "x")
        }
        let ticks = full.map(\.ticks).reduce(0, +) / full.count
        table.add("scale", "ticks per complete round (of \(agents))", Double(ticks), "")
        table.add("scale", "other datagrams to the agents while measuring", Double(r.otherDatagrams), "")
    }

    /// p50, p99 and max of spans in ms (nil for none).
    static func milliseconds(_ spans: [Int64]) -> (p50: Double, p99: Double, max: Double)? {
        let sorted = spans.sorted()
        guard let last = sorted.last else { return nil }
        return (Double(sorted[sorted.count / 2]) / 1e6, Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) / 1e6, Double(last) / 1e6)
    }

    static func measure(agents: Int, seconds: Int) -> Result {
        var result = Result()
        result.agents = agents
        guard let executable = ChildProcess.currentExecutablePath() else { result.failure = "no /proc/self/exe"; return result }
        let junction = String(executable.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")) + "/junction"
        let keyBytes = (0..<32).map { UInt8($0 &* 7 &+ 1) }
        guard let directory = try? FileIO.makeTemporaryDirectory(prefix: "junction-scale"),
              (try? FileIO.write(keyBytes, to: directory + "/key")) != nil,
              (try? FileIO.write(Array(ExamplePlans.crossroads.utf8), to: directory + "/plan.json")) != nil,
              let key = try? AuthKey(bytes: keyBytes)
        else { result.failure = "cannot write the key and plan"; return result }

        var sockets: [UDPSocket] = []
        var names: [String] = []
        sockets.reserveCapacity(agents)
        for i in 0..<agents {
            let address = agentAddress(i)
            guard let socket = try? UDPSocket(binding: address) else {
                result.failure = "cannot bind \(address) (agent \(i))"
                return result
            }
            sockets.append(socket)
            names.append(address.description)
        }
        result.floorSpans = sendFloor(to: sockets, rounds: 20)
        result.twoThreadFloorSpans = sendFloor(to: sockets, rounds: 20, threads: 2)
        var arguments = ["coordinator", "--plan", directory + "/plan.json", "--port", "\(coordinatorPort)", "--listen", "127.0.0.1",
                         "--key-file", directory + "/key", "--http-port", "0", "--log-level", "warn"]
        for name in names { arguments += ["--agent", name] }
        // On a shared machine other processes take the coordinator's core
        // mid-round; with JUNCTION_BENCH_RT=1 it runs under SCHED_FIFO (chrt,
        // as root) so the round time is its own cost, not the neighbours'.
        let realtime = FileIO.environment("JUNCTION_BENCH_RT") == "1"
        let program = realtime ? "/usr/bin/chrt" : junction
        if realtime { arguments = ["-f", "20", junction] + arguments }
        guard let coordinator = try? ChildProcess.spawn(program, arguments: arguments, outputPath: directory + "/coordinator.log") else {
            result.failure = "cannot start \(junction)"
            return result
        }
        defer {
            _ = coordinator.send(ChildProcess.kill)
            _ = coordinator.wait(untilMonotonicNanos: MonotonicClock().nowNanos() + 2 * .nanosPerSecond)
        }

        let clock = MonotonicClock()
        let codec = DatagramCodec(key: key)
        let target = SocketAddress.loopbackIPv4(port: coordinatorPort)
        let warmUpNanos: Int64 = 6 * .nanosPerSecond
        let start = clock.nowNanos()
        let measureFrom = start + warmUpNanos, measureUntil = measureFrom + Int64(seconds) * .nanosPerSecond
        var stamps: [Int64] = []
        stamps.reserveCapacity(agents * 10 * (seconds + 1))
        var sequences = [UInt64](repeating: 0, count: agents)
        // The plans the ticks name: reported back, as a real agent holding
        // them would, so the coordinator does not send every report's
        // sender the plan file again (which a report of no plan asks for).
        var plans = (current: PlanRef.none, pending: PlanRef.none)
        // The coordinator the ticks come from: once they come, the agents
        // report following it, as real agents do once a tick echoes their
        // report. A report from an unsynced agent following none is
        // answered at once (it is fresh), which would add a tick per
        // report to the rounds measured.
        var followed: (id: UInt64, term: UInt64)?
        var cpuStart: Int64?
        // Reports are spread over each second in 200 slots of 5 ms, so the
        // coordinator's receive buffer never sees all N at once; sockets are
        // drained every 50 ms.
        let slots = 200
        var slot = 0
        var next = start
        while clock.nowNanos() < measureUntil {
            let now = clock.nowNanos()
            if cpuStart == nil, now >= measureFrom { cpuStart = cpuTicks(pid: coordinator.pid) }
            // An agent holding no timebase before the ticks come (so the
            // coordinator starts its own), then one following it: a report,
            // or an answer to a solicit (addressed, with its nonce), as a
            // real one would.
            func report(_ i: Int, answering solicit: Solicit? = nil) {
                let report = Report(ordinal: UInt32(i), instance: UInt64(i + 1), board: "bench-\(i)", plan: plans.current,
                                    pending: plans.pending, state: followed == nil ? .unsynced : .locked,
                                    offsetNanos: 0, errorBoundNanos: followed == nil ? -1 : 100_000, head: nil, sentAt: LocalInstant(nanos: now),
                                    timebaseAtSend: nil, sourceCoordinatorID: followed?.id ?? 0, sourceTerm: followed?.term ?? 0,
                                    solicitNonce: solicit?.nonce ?? 0)
                sequences[i] += 1
                if let bytes = try? codec.seal(.report(report), sender: UInt64(i + 1), sequence: sequences[i],
                                               recipient: solicit?.coordinatorID ?? 0),
                   (try? sockets[i].send(bytes, to: target)) != nil {
                    result.reportsSent += 1
                }
            }
            for i in stride(from: slot % slots, to: agents, by: slots) { report(i) }
            if slot % 10 == 0 {
                for (i, socket) in sockets.enumerated() {
                    while let d = try? socket.receive(timeoutNanos: 0) {
                        guard case let .success(envelope) = codec.open(d.bytes) else { continue }
                        switch envelope.message {
                        case let .solicit(solicit):
                            // Answered: the coordinator adopts only once 90%
                            // of the agents it was given answer, and ticks
                            // only then.
                            report(i, answering: solicit)
                        case let .tick(tick):
                            // Only ticks make a round; plan chunks (sent on
                            // another thread, in answer to reports) are not.
                            plans = (tick.plan, tick.pending)
                            followed = (tick.coordinatorID, tick.term)
                            if now >= measureFrom, let stamp = d.kernelRealtimeNanos { stamps.append(stamp) }
                        default:
                            result.otherDatagrams += now >= measureFrom ? 1 : 0
                        }
                    }
                }
            }
            slot += 1
            next += 5 * .nanosPerMillisecond
            clock.sleep(untilNanos: max(next, clock.nowNanos()))
        }
        let cpuEnd = cpuTicks(pid: coordinator.pid)
        if let cpuStart, let cpuEnd {
            // USER_HZ is 100 on every Linux this runs on (x86-64, arm64).
            result.cpuSeconds = Double(cpuEnd - cpuStart) / 100
            result.cpuFraction = result.cpuSeconds / Double(seconds)
        } else {
            result.failure = "the coordinator exited (see \(directory)/coordinator.log)"
            return result
        }
        result.ticksSeen = stamps.count
        stamps.sort()
        var roundStart = 0
        for i in 1...stamps.count where i == stamps.count || stamps[i] - stamps[i - 1] > 20 * .nanosPerMillisecond {
            result.rounds.append((stamps[i - 1] - stamps[roundStart], i - roundStart))
            roundStart = i
        }
        // The first and last rounds may be cut by the window's edges.
        if result.rounds.count > 2 { result.rounds = Array(result.rounds.dropFirst().dropLast()) }
        if FileIO.environment("JUNCTION_BENCH_DEBUG") != nil {
            FileIO.printError("rounds (span ns, ticks): \(result.rounds); reports sent \(result.reportsSent)\n")
        }
        return result
    }

    /// Agent `i`'s socket: 127.1.x.y, 250 to each x.
    static func agentAddress(_ i: Int) -> SocketAddress {
        let x = UInt32(i / 250), y = UInt32(i % 250 + 1)
        return SocketAddress(host: .ipv4(0x7F01_0000 | x << 8 | y), port: agentPort)
    }

    /// The machine's floor for one tick round, in the same run: a bare
    /// 131-byte datagram (a tick with echo) from `threads` threads to each of the N
    /// sockets, back to back, nothing sealed; the spread of their kernel
    /// receive stamps, per round. On loopback the receive path runs inside
    /// each `sendto`, so this is what N sends cost the sender here.
    /// The destinations are split into `threads` runs, each sent by its own
    /// thread (and socket), started together.
    static func sendFloor(to sockets: [UDPSocket], rounds: Int, threads: Int = 1) -> [Int64] {
        let senders = (0..<threads).compactMap { _ in try? UDPSocket(binding: .loopbackIPv4(port: 0)) }
        guard senders.count == threads else { return [] }
        let payload = [UInt8](repeating: 0xA5, count: 131)
        let destinations = sockets.indices.map(agentAddress)
        let share = (destinations.count + threads - 1) / threads
        let runs = (0..<threads).map { Array(destinations[min(destinations.count, $0 * share)..<min(destinations.count, ($0 + 1) * share)]) }
        var spans: [Int64] = []
        for _ in 0..<rounds {
            let workers = (0..<threads).compactMap { k in
                try? OSThread(name: "bench-floor-\(k)") { [run = runs[k], sender = senders[k]] in
                    for destination in run { try? sender.send(payload, to: destination) }
                }
            }
            guard workers.count == threads else { return [] }
            for worker in workers { worker.join() }
            var first = Int64.max, last = Int64.min
            for socket in sockets {
                while let d = try? socket.receive(timeoutNanos: 0) {
                    guard let stamp = d.kernelRealtimeNanos else { continue }
                    first = min(first, stamp)
                    last = max(last, stamp)
                }
            }
            if first <= last { spans.append(last - first) }
        }
        return spans
    }

    /// utime + stime of a process in clock ticks, from /proc/PID/stat.
    static func cpuTicks(pid: Int32) -> Int64? {
        guard let bytes = try? FileIO.read("/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        // Fields after the command name (which may hold spaces) start after ") ".
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); utime and stime are fields 14 and 15.
        guard fields.count > 13, let user = Int64(fields[11]), let system = Int64(fields[12]) else { return nil }
        return user + system
    }
}
