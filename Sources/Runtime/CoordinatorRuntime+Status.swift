import Coordinator
import JunctionCore
import Posix
import Protocol

extension CoordinatorRuntime {
    private struct Snapshot {
        var core: CoordinatorCore<SocketAddress>
        var stats: CoordinatorRuntimeStatistics
        var now: LocalInstant
    }

    /// The core is a value: copying it under the mutex is the snapshot.
    private func snapshot() -> Snapshot {
        let now = now()
        return shared.withLock { s in Snapshot(core: s.core, stats: s.stats, now: now) }
    }

    func route(_ path: String) -> HTTPServer.Response? {
        switch path {
        case "/healthz": return .text("ok\n")
        case "/readyz":
            let phase = shared.withLock { $0.core.phase }
            return phase == .serving ? .text("serving\n") : .text("\(phaseName(phase))\n", status: 503)
        case "/metrics": return .prometheus(metrics(snapshot()))
        case "/status": return .json(status(snapshot()) + "\n")
        default: return nil
        }
    }

    private func phaseName(_ phase: CoordinatorCore<SocketAddress>.Phase) -> String {
        switch phase {
        case .adopting: "adopting"
        case .serving: "serving"
        case .stopped: "stopped"
        }
    }

    private func status(_ snap: Snapshot) -> String {
        let core = snap.core
        var json = JSONText()
        json.add("role", "coordinator")
        json.add("id", String(core.configuration.id, radix: 16))
        json.add("phase", phaseName(core.phase))
        json.add("term", Int64(core.term))
        json.add("offsetNanos", core.offsetNanos)
        json.add("timebaseNanos", core.timebase(at: snap.now).nanos)
        json.add("plan", core.schedule.current.map { String($0.id, radix: 16) })
        json.add("planName", core.schedule.current?.plan.name)
        json.add("planAnchorNanos", core.schedule.current?.anchor.nanos)
        json.add("pendingPlan", core.schedule.pending.map { String($0.id, radix: 16) })
        json.add("pendingAnchorNanos", core.schedule.pending?.anchor.nanos)
        json.add("ticksSent", Int64(core.counters.ticksSent))
        let agents = core.agents.sorted { $0.value.ordinal < $1.value.ordinal }.map { address, record in
            var a = JSONText()
            a.add("address", address.description)
            a.add("ordinal", Int64(record.ordinal))
            a.add("instance", String(record.instance, radix: 16))
            a.add("board", record.board)
            a.add("state", record.lastReport?.state.description)
            a.add("aspect", record.lastReport?.head?.aspect.description)
            a.add("head", record.lastReport?.head.map { "\($0.junction)/\($0.group)" })
            a.add("offsetNanos", record.lastReport?.offsetNanos)
            a.add("errorBoundNanos", record.lastReport?.errorBoundNanos)
            a.add("heardMillisAgo", (snap.now - record.lastHeard) / 1_000_000)
            return a.text
        }
        json.add("agents", raw: "[" + agents.joined(separator: ",") + "]")
        return json.text
    }

    private func metrics(_ snap: Snapshot) -> String {
        let core = snap.core
        var m = PrometheusText.withBuildInfo(role: "coordinator")
        for name in ["adopting", "serving", "stopped"] {
            m.gauge("junction_coordinator_phase", help: "1 for the coordinator's current phase.",
                    value: phaseName(core.phase) == name ? 1 : 0, labels: ["phase": name])
        }
        m.gauge("junction_coordinator_term", help: "The term this coordinator serves.", value: Double(core.term))
        m.gauge("junction_coordinator_offset_seconds", help: "Timebase minus this coordinator's own clock (CLOCK_MONOTONIC_RAW plus the wall clock read at start).", value: Double(core.offsetNanos) / 1e9)
        m.gauge("junction_coordinator_wall_clock_step_seconds", help: "How far the node's wall clock has moved from the coordinator's own clock since start (NTP steps); the timebase does not follow it.",
                value: Double(clock.wallClockDriftNanos()) / 1e9)
        m.gauge("junction_agents_seen", help: "Agents known (heard from or in DNS).", value: Double(core.agents.count))
        for state in SyncState.allCases {
            let count = core.agents.values.filter { $0.lastReport?.state == state }.count
            m.gauge("junction_agents_by_state", help: "Agents by the state of their last report.", value: Double(count), labels: ["state": state.description])
        }
        m.counter("junction_ticks_sent_total", help: "Ticks sent to agents.", value: Double(core.counters.ticksSent))
        m.counter("junction_reports_received_total", help: "Agent reports accepted.", value: Double(core.counters.reportsReceived))
        m.counter("junction_plans_sent_total", help: "Plan transmissions to agents.", value: Double(core.counters.plansSent))
        m.counter("junction_plans_refused_total", help: "Plan files refused.", value: Double(core.counters.plansRefused))
        m.counter("junction_conflicts_total", help: "Conflicting greens reported by agents.", value: Double(core.counters.conflictsSeen))
        m.counter("junction_silent_head_stops_total", help: "Heads found silent; each stopped its junction (flashing red).",
                  value: Double(core.counters.silentHeadStops))
        m.gauge("junction_stopped_junctions", help: "Junctions stopped now because one of their heads is silent.",
                value: Double(core.silentHeads.stoppedJunctions.count))
        for kind in DatagramKind.allCases {
            m.counter("junction_datagrams_received_total", help: "Datagrams received, by the type their header claims.",
                      value: Double(snap.stats.received[kind] ?? 0), labels: ["type": kind.rawValue])
        }
        for reason in DropReason.allCases {
            m.counter("junction_datagrams_dropped_total", help: "Datagrams refused by the protocol, by reason.",
                      value: Double(core.inbox.drops[reason]), labels: ["reason": reason.description])
        }
        m.counter("junction_socket_overflow_drops_total", help: "Datagrams the kernel dropped on a full receive buffer.", value: Double(UDPSocket.kernelDrops(port: port) ?? 0))
        m.counter("junction_datagrams_sent_total", help: "Datagrams sent.", value: Double(snap.stats.datagramsSent))
        m.counter("junction_send_errors_total", help: "Datagrams the kernel refused to send.", value: Double(snap.stats.sendErrors))
        return m.text
    }
}
