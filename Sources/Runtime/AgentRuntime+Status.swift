import JunctionCore
import NodeAgent
import Posix
import Protocol

/// What `/status` and `/metrics` show, copied under the mutex and formatted
/// outside it, so a scrape never holds up the timing thread.
struct AgentSnapshot: Sendable {
    var ordinal: Int
    var board: String?
    var instance: UInt64
    var state: SyncState
    var aspect: Aspect?
    var head: String?
    var offsetNanos: Int64?
    var errorBoundNanos: Int64
    var frequencyPPM: Double
    var sourceID: UInt64?
    var term: UInt64?
    /// The plan run and the pending plan held (its acknowledgement), as reported.
    var plan: PlanRef
    var pending: PlanRef
    var counters: AgentCounters
    var drops: DropCounters
    var stats: AgentRuntimeStatistics
    var coordinators: [SocketAddress]
    var driftPPM: Double
    /// The shared `CLOCK_MONOTONIC` and this agent's timebase at one instant:
    /// their difference compared across agents on one machine is their skew.
    var monotonicNanos: Int64
    var timebaseNanos: Int64?
    /// The signal monitor: trips since start, and the latched one if any.
    var monitorTrips: UInt64
    var monitorTrip: String?
}

extension AgentRuntime {
    func snapshot() -> AgentSnapshot {
        let (raw, now) = clock.reading()
        // Copied under the lock (the core is a value: a copy is a few
        // reference counts), worked out and formatted after it is released.
        var (core, shown, stats, coordinators) = shared.withLock { s in (s.core, s.shown, s.stats, s.coordinators) }
        let report = core.report(now: now)
        return AgentSnapshot(
            ordinal: core.configuration.ordinal, board: core.configuration.board, instance: core.configuration.instance,
            state: core.state, aspect: shown, head: report.head.map { "\($0.junction)/\($0.group)" },
            offsetNanos: core.clock.timebase(at: now).map { $0.nanos - now.nanos },
            errorBoundNanos: core.errorBoundNanos(at: now), frequencyPPM: core.clock.frequencyPPM,
            sourceID: core.sources.current?.id, term: core.sources.current?.term, plan: report.plan, pending: report.pending,
            counters: core.counters, drops: core.inbox.drops, stats: stats, coordinators: coordinators,
            driftPPM: clock.driftPPM, monotonicNanos: raw, timebaseNanos: core.clock.timebase(at: now)?.nanos,
            monitorTrips: core.monitor.tripCount, monitorTrip: core.monitor.trip?.description)
    }

    func route(_ path: String) -> HTTPServer.Response? {
        switch path {
        case "/healthz":
            let stalled = shared.withLock { s in AgentProbes.timingStalledNanos(lastLoopAt: s.lastLoopAt, now: clock.now()) }
            return stalled.map { .text("timing thread stalled for \($0 / 1_000_000) ms\n", status: 503) } ?? .text("ok\n")
        case "/readyz":
            let state = shared.withLock { $0.core.state }
            return AgentProbes.isReady(state) ? .text("\(state)\n") : .text("\(state)\n", status: 503)
        case "/metrics": return .prometheus(metrics(snapshot()))
        case "/status": return .json(status(snapshot()) + "\n")
        default: return nil
        }
    }

    func status(_ s: AgentSnapshot) -> String {
        var json = JSONText()
        json.add("role", "agent")
        json.add("ordinal", Int64(s.ordinal))
        json.add("board", s.board)
        json.add("instance", String(s.instance, radix: 16))
        json.add("state", s.state.description)
        json.add("aspect", s.aspect?.description)
        json.add("head", s.head)
        json.add("offsetNanos", s.offsetNanos)
        json.add("errorBoundNanos", s.errorBoundNanos == .max ? nil : s.errorBoundNanos)
        json.add("frequencyPPM", s.frequencyPPM)
        json.add("driftPPM", s.driftPPM)
        json.add("source", s.sourceID.map { String($0, radix: 16) })
        json.add("term", s.term.map { Int64($0) })
        json.add("plan", s.plan.isNone ? nil : String(s.plan.id.rawValue, radix: 16))
        json.add("planAnchorNanos", s.plan.isNone ? nil : s.plan.anchor.nanos)
        json.add("pendingPlan", s.pending.isNone ? nil : String(s.pending.id.rawValue, radix: 16))
        json.add("pendingAnchorNanos", s.pending.isNone ? nil : s.pending.anchor.nanos)
        json.add("monotonicNanos", s.monotonicNanos)
        json.add("timebaseNanos", s.timebaseNanos)
        json.add("transitions", Int64(s.stats.transitions))
        json.add("ticksReceived", Int64(s.counters.ticksReceived))
        json.add("dropped", Int64(s.drops.total))
        json.add("monitorTrips", Int64(s.monitorTrips))
        json.add("monitorTripped", s.monitorTrip)
        json.add("coordinators", raw: "[" + s.coordinators.map { LoggerEscaping.jsonString($0.description) }.joined(separator: ",") + "]")
        return json.text
    }

    func metrics(_ s: AgentSnapshot) -> String {
        var m = PrometheusText.withBuildInfo(role: "agent")
        for state in SyncState.allCases {
            m.gauge("junction_agent_state", help: "1 for the agent's current synchronisation state.",
                    value: state == s.state ? 1 : 0, labels: ["state": state.description])
        }
        if let offset = s.offsetNanos {
            m.gauge("junction_agent_offset_seconds", help: "Timebase minus local clock.", value: Double(offset) / 1e9)
        }
        m.gauge("junction_agent_error_bound_seconds", help: "Worst-case error of the timebase estimate (+Inf before any sample).",
                value: s.errorBoundNanos == .max ? .infinity : Double(s.errorBoundNanos) / 1e9)
        m.gauge("junction_agent_frequency_ppm", help: "Estimated local clock frequency error.", value: s.frequencyPPM)
        for kind in DatagramKind.allCases {
            m.counter("junction_datagrams_received_total", help: "Datagrams received, by the type their header claims.",
                      value: Double(s.stats.received[kind] ?? 0), labels: ["type": kind.rawValue])
        }
        for reason in DropReason.allCases {
            m.counter("junction_datagrams_dropped_total", help: "Datagrams refused by the protocol, by reason.",
                      value: Double(s.drops[reason]), labels: ["reason": reason.description])
        }
        m.counter("junction_socket_overflow_drops_total", help: "Datagrams the kernel dropped on a full receive buffer.",
                  value: Double(UDPSocket.kernelDrops(port: port) ?? 0))
        m.counter("junction_datagrams_sent_total", help: "Datagrams sent.", value: Double(s.stats.datagramsSent))
        m.counter("junction_send_errors_total", help: "Datagrams the kernel refused to send.", value: Double(s.stats.sendErrors))
        m.counter("junction_ticks_received_total", help: "Ticks received.", value: Double(s.counters.ticksReceived))
        m.counter("junction_clock_samples_total", help: "Clock samples, by outcome.", value: Double(s.counters.samplesAccepted), labels: ["result": "accepted"])
        m.counter("junction_clock_samples_total", help: "Clock samples, by outcome.", value: Double(s.counters.samplesRejected), labels: ["result": "rejected"])
        m.counter("junction_plans_refused_total", help: "Plans received but refused.", value: Double(s.counters.plansRefused))
        m.counter("junction_state_changes_total", help: "Synchronisation state changes.", value: Double(s.counters.stateChanges))
        m.counter("junction_light_transitions_total", help: "Aspect changes applied to the light.", value: Double(s.stats.transitions))
        m.counter("junction_signal_monitor_trips_total", help: "Changes the signal monitor refused (the head took its safe path).",
                  value: Double(s.monitorTrips))
        m.counter("junction_late_changes_held_total", help: "Changes that waited for the shown aspect's minimum because it began late (a stalled timing thread).",
                  value: Double(s.counters.lateChangesHeld))
        m.gauge("junction_signal_monitor_tripped", help: "1 while the signal monitor holds the head on its safe path.",
                value: s.monitorTrip == nil ? 0 : 1)
        m.counter("junction_light_output_errors_total", help: "Failed writes to the light.", value: Double(s.stats.outputErrors))
        m.gauge("junction_transition_lateness_seconds", help: "How late the timing thread applied light changes.",
                value: s.stats.transitionLateness.meanNanos / 1e9, labels: ["stat": "mean"])
        m.gauge("junction_transition_lateness_seconds", help: "How late the timing thread applied light changes.",
                value: Double(s.stats.transitionLateness.maximumNanos) / 1e9, labels: ["stat": "max"])
        m.gauge("junction_receive_stamp_delay_seconds", help: "Kernel receive stamp to recvmsg return: the error a user-space stamp adds.",
                value: s.stats.stampDelay.meanNanos / 1e9, labels: ["stat": "mean"])
        m.gauge("junction_receive_stamp_delay_seconds", help: "Kernel receive stamp to recvmsg return: the error a user-space stamp adds.",
                value: Double(s.stats.stampDelay.maximumNanos) / 1e9, labels: ["stat": "max"])
        m.gauge("junction_monotonic_slew_ppm", help: "CLOCK_MONOTONIC's rate against CLOCK_MONOTONIC_RAW over the last second (NTP slew; the agent runs on the raw clock).",
                value: s.stats.monotonicSlewPPM)
        return m.text
    }
}
