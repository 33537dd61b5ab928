extension HTTPServer {
    /// What a route answers: status, content type and body. The server adds
    /// `Content-Length` and `Connection: close`, and drops the body for HEAD.
    public struct Response: Sendable, Hashable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]

        public init(status: Int = 200, contentType: String, body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }

        /// Plain UTF-8 text, e.g. `ok\n` for `/healthz`.
        public static func text(_ text: String, status: Int = 200) -> Response {
            Response(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
        }

        /// A JSON document the caller has already encoded.
        public static func json(_ json: String, status: Int = 200) -> Response {
            Response(status: status, contentType: "application/json", body: Array(json.utf8))
        }

        /// Prometheus text exposition format 0.0.4.
        public static func prometheus(_ text: String) -> Response {
            Response(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(text.utf8))
        }

        /// The bytes on the wire: status line, headers and (unless `headOnly`) body.
        func serialized(headOnly: Bool, extraHeaders: [(String, String)] = []) -> [UInt8] {
            var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
            head += "Content-Type: \(contentType)\r\n"
            head += "Content-Length: \(body.count)\r\n"
            head += "Cache-Control: no-store\r\n"
            for (name, value) in extraHeaders { head += "\(name): \(value)\r\n" }
            head += "Connection: close\r\n\r\n"
            return Array(head.utf8) + (headOnly ? [] : body)
        }

        static func reason(_ status: Int) -> String {
            switch status {
            case 200: "OK"
            case 204: "No Content"
            case 400: "Bad Request"
            case 404: "Not Found"
            case 405: "Method Not Allowed"
            case 408: "Request Timeout"
            case 413: "Content Too Large"
            case 431: "Request Header Fields Too Large"
            case 500: "Internal Server Error"
            case 503: "Service Unavailable"
            default: "Status \(status)"
            }
        }
    }
}
