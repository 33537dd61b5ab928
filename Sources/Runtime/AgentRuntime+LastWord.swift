import JunctionCore
import NodeAgent
import Posix

/// The agent's last word on a graceful stop (`AgentCore+Shutdown`): the
/// shell's part, sending what the core seals.
extension AgentRuntime {
    /// Until `shutdownAt` (the end of a green's amber), reports every report
    /// interval, so the coordinator does not take the amber for a death.
    func reportWhileClearing(until shutdownAt: LocalInstant) {
        let interval = shared.withLock { $0.core.configuration.reportIntervalNanos }
        while clock.now() < shutdownAt {
            let sends = shared.withLock { s in
                Self.addresses(for: s.core.clearingReports(now: max(clock.now(), s.lastNow)), coordinators: s.coordinators)
            }
            send(sends)
            clock.sleep(until: min(shutdownAt, clock.now() + interval))
        }
    }

    /// Once the lamp shows the shutdown aspect: says so, a few times, to the
    /// followed coordinator and to every coordinator address.
    func sendLastWord() {
        let aspect = output.shutdownAspect
        let sends = shared.withLock { s in
            Self.addresses(for: s.core.finalReports(now: max(clock.now(), s.lastNow), aspect: aspect), coordinators: s.coordinators)
        }
        send(sends)
        logger.info("last word sent: stopped", ["aspect": "\(aspect)", "datagrams": .int(Int64(sends.count))])
    }

    /// The core's destinations as socket addresses (`.allCoordinators`: each
    /// resolved coordinator address).
    static func addresses(
        for sends: [AgentSend<SocketAddress>], coordinators: [SocketAddress]
    ) -> [(AgentSend<SocketAddress>, SocketAddress)] {
        var resolved: [(AgentSend<SocketAddress>, SocketAddress)] = []
        for outgoing in sends {
            switch outgoing.to {
            case .peer(let address): resolved.append((outgoing, address))
            case .allCoordinators: for address in coordinators { resolved.append((outgoing, address)) }
            }
        }
        return resolved
    }
}
