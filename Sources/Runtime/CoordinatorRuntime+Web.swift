import Coordinator
import JunctionCore
import Posix

extension CoordinatorRuntime {
    /// Every route: the web view and `/events` here, the probes and status
    /// in `route(_:)`.
    ///
    /// - `/`: the page, with the current snapshot inlined so it shows the
    ///   cluster before its script's first poll (and to `chromium --dump-dom`).
    /// - `/api/snapshot?viewer=ID`: the shared snapshot (`WebSnapshot`).
    /// - `/api/history`: agents' offsets and bounds of the last minutes.
    /// - `/events?since=N&limit=M`: the junction's merged log, JSON lines.
    func serve(_ request: HTTPServer.Request) -> HTTPServer.Response? {
        switch request.path {
        case "/", "/index.html":
            return viewerRefusal(request) ?? HTTPServer.Response(
                status: 200, contentType: "text/html; charset=utf-8",
                body: Array(WebPage.html(snapshot: web.snapshot(build: encodeSnapshot), history: web.historyJSON).utf8))
        case "/api/snapshot":
            return viewerRefusal(request) ?? .json(web.snapshot(build: encodeSnapshot))
        case "/api/history":
            return .json(web.historyJSON)
        case "/events":
            return EventsEndpoint.respond(request, recorder: web.events)
        default:
            return route(request.path)
        }
    }

    /// 400 for a malformed viewer id, 503 when the viewer cap is reached.
    private func viewerRefusal(_ request: HTTPServer.Request) -> HTTPServer.Response? {
        let viewer = request.parameter("viewer")
        if let viewer, !ViewerCap.isValidID(viewer) {
            return .text("viewer must be 1 to 32 letters, digits, - or _\n", status: 400)
        }
        guard web.admit(viewer) else {
            return .text("\(web.maximumViewers) viewers are watching already; try again later\n", status: 503)
        }
        return nil
    }

    /// One snapshot of the cluster: the core is copied under the lock (a
    /// value: copy-on-write) and encoded outside it.
    func encodeSnapshot() -> String {
        let reading = now()
        // The core's time never runs back, even when realtime is stepped.
        let (core, now) = shared.withLock { s in (s.core, max(reading, s.lastNow)) }
        return WebSnapshot.encode(core: core, now: now,
                                  events: web.events.recent(60), viewers: web.viewerCount, maximumViewers: web.maximumViewers,
                                  lastChange: web.lastChanges, coordinatorEvents: web.ownEvents)
    }
}
