import Testing
@testable import Posix

private func parse(_ text: String, limit: Int = 8_192) -> HTTPServer.Parse {
    HTTPServer.parse(Array(text.utf8), limit: limit)
}

@Test func requestLineGivesMethodAndPath() {
    #expect(parse("GET /status HTTP/1.1\r\nHost: a\r\n\r\n") == .complete(.init(method: "GET", path: "/status")))
    #expect(parse("HEAD /metrics?name[]=x#f HTTP/1.0\r\n\r\n") == .complete(.init(method: "HEAD", path: "/metrics", query: "name[]=x")))
    #expect(parse("GET http://pi-3:9100/readyz HTTP/1.1\r\n\r\n") == .complete(.init(method: "GET", path: "/readyz")))
    #expect(parse("GET / HTTP/1.1\n\n") == .complete(.init(method: "GET", path: "/")))
}

@Test func incompleteUntilTheBlankLine() {
    #expect(parse("GET /status HTTP/1.1\r\nHost: a\r\n") == .incomplete)
    #expect(parse("") == .incomplete)
}

@Test func malformedRequestLines() {
    #expect(parse("GET /status\r\n\r\n") == .malformed)
    #expect(parse("GET  /status HTTP/1.1\r\n\r\n") == .malformed)
    #expect(parse("GET status HTTP/1.1\r\n\r\n") == .malformed)
    #expect(parse("GET /status HTTP/2\r\n\r\n") == .malformed)
}

@Test func headLimitAppliesWithAndWithoutTheBlankLine() {
    #expect(parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100), limit: 64) == .tooLarge)
    #expect(parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100) + "\r\n\r\n", limit: 64) == .tooLarge)
    #expect(parse("GET / HTTP/1.1\r\n\r\n", limit: 64) == .complete(.init(method: "GET", path: "/")))
}

@Test func responseSerialisationAndHeadOnly() {
    let response = HTTPServer.Response.json("{}")
    let full = String(decoding: response.serialized(headOnly: false), as: UTF8.self)
    #expect(full == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{}")
    let head = String(decoding: response.serialized(headOnly: true), as: UTF8.self)
    #expect(head == String(full.dropLast(2)))
}

@Test func queryParametersAreDecodedAndBadEscapesRefused() {
    let request = HTTPServer.Request(path: "/events", query: "since=12&viewer=a%2Db+c&flag&since=99&bad=%zz&half=%4")
    #expect(request.parameter("since") == "12", "the first value wins")
    #expect(request.parameter("viewer") == "a-b c")
    #expect(request.parameter("flag") == "")
    #expect(request.parameter("missing") == nil)
    #expect(request.parameter("bad") == nil)
    #expect(request.parameter("half") == nil)
    #expect(HTTPServer.Request(path: "/", query: "x=%FF").parameter("x") == nil, "not UTF-8")
    #expect(parse("GET http://pi-3:9100?since=4 HTTP/1.1\r\n\r\n") == .complete(.init(method: "GET", path: "/", query: "since=4")))
    #expect(parse("GET /events?#frag HTTP/1.1\r\n\r\n") == .complete(.init(method: "GET", path: "/events", query: "")))
}
