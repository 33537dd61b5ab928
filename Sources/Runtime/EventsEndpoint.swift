import Posix

/// `GET /events?since=N&limit=M`: JSON lines, oldest first.
///
/// Why a cursor: a reader (the coordinator's operator, a collector) polls
/// with the last `seq` it has and never gets a line twice; one that fell
/// behind the ring gets an `events-lost` line instead of a silent gap.
public enum EventsEndpoint {
    /// At most this many lines per answer (about 150 bytes each).
    public static let maximumLimit = 1000

    public static func respond(_ request: HTTPServer.Request, recorder: EventRecorder) -> HTTPServer.Response {
        let since: UInt64
        let limit: Int
        switch (request.parameter("since"), request.parameter("limit")) {
        case (let s?, _) where UInt64(s) == nil:
            return .text("since must be the last seq you have (a whole number >= 0), got \"\(s.prefix(40))\"\n", status: 400)
        case (_, let l?) where Int(l).map({ (1...maximumLimit).contains($0) }) != true:
            return .text("limit must be a whole number from 1 to \(maximumLimit), got \"\(l.prefix(40))\"\n", status: 400)
        case (let s, let l):
            since = s.flatMap { UInt64($0) } ?? 0
            limit = l.flatMap { Int($0) } ?? maximumLimit
        }
        var text = ""
        for event in recorder.events(since: since, limit: limit) { text += event.jsonLine + "\n" }
        return HTTPServer.Response(status: 200, contentType: "application/x-ndjson; charset=utf-8", body: Array(text.utf8))
    }
}
