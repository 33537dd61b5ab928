#if canImport(Glibc)
import Glibc
#endif

extension HTTPServer {
    /// One connection: where it is in its single request/response exchange.
    struct Connection {
        enum Phase {
            /// Collecting the request head.
            case reading([UInt8])
            /// Sending the response from `offset`.
            case writing([UInt8], offset: Int)
            /// Response sent and write side shut: discarding input until the
            /// client closes, so the kernel does not reset the connection and
            /// destroy the response before the client read it.
            case draining
        }
        var fd: Int32
        var phase: Phase
        var deadlineNanos: Int64
    }

    /// The poll loop; owned by the server thread, so its state needs no lock.
    struct Loop: Sendable {
        let listener: Int32
        let wake: Int32
        let limits: Limits
        let routes: @Sendable (Request) -> Response?
        let clock = MonotonicClock()

        func run() {
            var connections: [Connection] = []
            while true {
                var fds = [pollfd(fd: wake, events: HTTPServerSocket.readable, revents: 0)]
                let accepting = connections.count < limits.maxConnections
                fds.append(pollfd(fd: accepting ? listener : -1, events: HTTPServerSocket.readable, revents: 0))
                for c in connections {
                    let events = if case .writing = c.phase { HTTPServerSocket.writable } else { HTTPServerSocket.readable }
                    fds.append(pollfd(fd: c.fd, events: events, revents: 0))
                }
                HTTPServerSocket.poll(&fds, timeoutMillis: timeoutMillis(connections))
                if fds[0].revents != 0 { break }
                let now = clock.nowNanos()
                for i in connections.indices where fds[i + 2].revents != 0 {
                    connections[i] = step(connections[i], now: now)
                }
                connections = expire(connections, now: now)
                if accepting && fds[1].revents != 0 { accept(into: &connections, now: now) }
            }
            for c in connections { HTTPServerSocket.close(c.fd) }
            HTTPServerSocket.close(listener)
            HTTPServerSocket.close(wake)
        }

        /// Until the earliest connection deadline, rounded up; -1 without any.
        private func timeoutMillis(_ connections: [Connection]) -> Int32 {
            guard let earliest = connections.map(\.deadlineNanos).min() else { return -1 }
            let remaining = max(0, earliest - clock.nowNanos())
            return Int32(min(Int64(Int32.max), (remaining + 999_999) / 1_000_000))
        }

        private func accept(into connections: inout [Connection], now: Int64) {
            while connections.count < limits.maxConnections, case .done(let fd) = HTTPServerSocket.accept(listener) {
                connections.append(Connection(fd: Int32(fd), phase: .reading([]), deadlineNanos: now + limits.readTimeoutNanos))
            }
        }

        /// Closes finished connections and those past their deadline; a client
        /// still sending its request gets a best-effort 408 first.
        private func expire(_ connections: [Connection], now: Int64) -> [Connection] {
            connections.filter { c in
                let finished = c.fd < 0
                let late = !finished && now >= c.deadlineNanos
                if late, case .reading = c.phase {
                    _ = HTTPServerSocket.write(c.fd, Response.text("request timeout\n", status: 408).serialized(headOnly: false)[...])
                }
                if late { HTTPServerSocket.close(c.fd) }
                return !finished && !late
            }
        }

        /// Advances one ready connection; fd -1 marks it closed.
        private func step(_ connection: Connection, now: Int64) -> Connection {
            var c = connection
            switch c.phase {
            case .reading(var buffer):
                let room = limits.maxRequestBytes + 1 - buffer.count
                switch HTTPServerSocket.read(c.fd, into: &buffer, max: max(room, 1)) {
                case .closed: return closed(c)
                case .wouldBlock: return c
                case .done: break
                }
                guard let response = respond(to: buffer) else { c.phase = .reading(buffer); return c }
                c.phase = .writing(response, offset: 0)
                c.deadlineNanos = now + limits.readTimeoutNanos
                return c
            case .writing(let bytes, let offset):
                switch HTTPServerSocket.write(c.fd, bytes[offset...]) {
                case .closed: return closed(c)
                case .wouldBlock: return c
                case .done(let n) where offset + n < bytes.count:
                    c.phase = .writing(bytes, offset: offset + n)
                    return c
                case .done:
                    HTTPServerSocket.shutdownWrite(c.fd)
                    c.phase = .draining
                    return c
                }
            case .draining:
                var sink: [UInt8] = []
                if case .wouldBlock = HTTPServerSocket.read(c.fd, into: &sink, max: 4096) { return c }
                return closed(c)
            }
        }

        private func closed(_ connection: Connection) -> Connection {
            HTTPServerSocket.close(connection.fd)
            var c = connection
            c.fd = -1
            return c
        }

        /// The bytes to send for the request so far, or nil to keep reading.
        func respond(to buffer: [UInt8]) -> [UInt8]? {
            switch HTTPServer.parse(buffer, limit: limits.maxRequestBytes) {
            case .incomplete:
                return nil
            case .tooLarge:
                return Response.text("request header too large\n", status: 431).serialized(headOnly: false)
            case .malformed:
                return Response.text("bad request\n", status: 400).serialized(headOnly: false)
            case .complete(let head):
                guard head.method == "GET" || head.method == "HEAD" else {
                    return Response.text("method not allowed\n", status: 405)
                        .serialized(headOnly: false, extraHeaders: [("Allow", "GET, HEAD")])
                }
                let response = routes(Request(method: head.method, path: head.path, query: head.query)) ?? Response.text("not found\n", status: 404)
                return response.serialized(headOnly: head.method == "HEAD")
            }
        }
    }
}
