import Testing
@testable import LakehouseKit

/// Feeds `text` to a fresh parser and collects events until it needs more input.
private func parse(_ text: String, maxBody: Int = 1 << 20, chunkSize: Int? = nil) -> [HTTPRequestParser.Event] {
    var parser = HTTPRequestParser(limits: .init(maxBodyBytes: maxBody))
    var buffer = ByteBuffer()
    var events: [HTTPRequestParser.Event] = []
    let bytes = Array(text.utf8)
    let step = chunkSize ?? max(bytes.count, 1)
    var offset = 0
    repeat {
        let end = min(offset + step, bytes.count)
        buffer.append(contentsOf: bytes[offset..<end])
        offset = end
        loop: while true {
            let event = parser.next(&buffer)
            switch event {
            case .needMore: break loop
            case .failure:
                events.append(event)
                return events
            default: events.append(event)
            }
        }
    } while offset < bytes.count
    return events
}

private func requests(_ events: [HTTPRequestParser.Event]) -> [(HTTPRequestHead, String)] {
    events.compactMap { if case .request(let head, let body) = $0 { (head, String(decoding: body, as: UTF8.self)) } else { nil } }
}

private func failureStatus(_ events: [HTTPRequestParser.Event]) -> Int? {
    if case .failure(let status, _)? = events.last { return status.code }
    return nil
}

@Test func parsesSimpleGet() {
    let result = requests(parse("GET /v1/x?a=1 HTTP/1.1\r\nHost: h\r\nX-Y:  z \r\n\r\n"))
    #expect(result.count == 1)
    #expect(result[0].0.method == .GET)
    #expect(result[0].0.target == "/v1/x?a=1")
    #expect(result[0].0.headers["x-y"] == "z")
    #expect(result[0].0.keepAlive)
}

@Test func parsesByteByByte() {
    let text = "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
    let result = requests(parse(text, chunkSize: 1))
    #expect(result.count == 1)
    #expect(result[0].1 == "hello")
}

@Test func parsesPipelinedRequestsInOrder() {
    let text = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nokGET /c HTTP/1.1\r\nHost: h\r\n\r\n"
    let result = requests(parse(text))
    #expect(result.map(\.0.target) == ["/a", "/b", "/c"])
    #expect(result[1].1 == "ok")
}

@Test func decodesChunkedBodyWithExtensionsAndTrailers() {
    let text = "POST /e HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
    for step in [nil, 1, 3] as [Int?] {
        let result = requests(parse(text, chunkSize: step))
        #expect(result.count == 1)
        #expect(result.first?.1 == "hello world")
        #expect(result.first?.0.headers["Content-Length"] == "11")
    }
}

@Test func acceptsBareLineFeeds() {
    #expect(requests(parse("GET / HTTP/1.1\nHost: h\n\n")).count == 1)
}

@Test func reportsHeadBeforeBodyForContinue() {
    let events = parse("POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
    guard case .head(let head)? = events.first else {
        Issue.record("expected a head event, got \(events)")
        return
    }
    #expect(head.expectsContinue)
}

@Test(arguments: [
    ("GARBAGE\r\n\r\n", 400),
    ("GET /\r\nHost: h\r\n\r\n", 400),
    ("GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n", 400),
    ("G@T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
    ("GET / HTTP/1.1\r\n\r\n", 400),
    ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    ("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400),
    ("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400),
    ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400),
    ("GET / HTTP/1.1\r\nHost: h\rX\r\n\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
    ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\nContent-Length: 1\r\n\r\n", 417),
    ("GET noslash HTTP/1.1\r\nHost: h\r\n\r\n", 400),
])
func rejectsMalformedRequests(text: String, status: Int) {
    #expect(failureStatus(parse(text)) == status, "\(text.debugDescription)")
}

@Test func rejectsOversizeHeadWith431() {
    let big = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + String(repeating: "a", count: 17 * 1024) + "\r\n\r\n"
    #expect(failureStatus(parse(big)) == 431)
    #expect(failureStatus(parse(big, chunkSize: 1000)) == 431)
}

@Test func rejectsOversizeTargetWith414() {
    let long = "GET /" + String(repeating: "a", count: 9 * 1024) + " HTTP/1.1\r\nHost: h\r\n\r\n"
    #expect(failureStatus(parse(long)) == 414)
}

@Test func rejectsOversizeBodyWith413BeforeReadingIt() {
    #expect(failureStatus(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n", maxBody: 1000)) == 413)
    let chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + String(repeating: "x", count: 1024) + "\r\n400\r\n"
    #expect(failureStatus(parse(chunked, maxBody: 1500)) == 413)
}

@Test func http10ClosesByDefault() {
    let result = requests(parse("GET / HTTP/1.0\r\n\r\n"))
    #expect(result.first?.0.keepAlive == false)
    let kept = requests(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
    #expect(kept.first?.0.keepAlive == true)
}

@Test func absoluteFormTargetBecomesOriginForm() {
    #expect(requests(parse("GET http://h:1/p?q=1 HTTP/1.1\r\nHost: h\r\n\r\n")).first?.0.target == "/p?q=1")
}

@Test func skipsAFewLeadingEmptyLinesButRejectsAFlood() {
    #expect(requests(parse("\r\n\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")).count == 1)
    // Found by the fuzzer: 2,000 newlines once overflowed the stack through recursion.
    #expect(failureStatus(parse("z" + String(repeating: "\n", count: 2_000))) == 400)
    #expect(failureStatus(parse(String(repeating: "\n", count: 2_000) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n")) == 400)
    #expect(failureStatus(parse(String(repeating: "\r\n", count: 50_000), chunkSize: 7)) == 400)
}
