// libFuzzer entry point for the HTTP/1.1 parsers (built by Scripts/fuzz-http-parser, not by SwiftPM).
//
// Properties checked on every input, beyond "does not crash":
//  1. Feeding the bytes in one piece or split at fuzzer-chosen points yields the same requests
//     (same method, target, headers, body) and the same final failure status — incremental
//     parsing must not depend on how TCP happened to segment the stream.
//  2. A parsed request's body length equals its Content-Length.
//  3. The parser always makes progress: a bounded number of calls consumes or rejects the input.
//  4. The response parser (client side) never crashes or loops on the same bytes.
//  5. Streaming mode (every body handed out in chunks) yields the same requests — method, target,
//     body bytes — and the same failure as buffering them.

struct ParsedRequest: Equatable {
    let method: String
    let target: String
    let headers: [String]
    let body: [UInt8]
}

enum Outcome: Equatable {
    case requests([ParsedRequest], failure: Int?)
}

func parseRequests(_ bytes: [UInt8], splits: [Int], streaming: Bool = false) -> Outcome {
    var streamsBody: (@Sendable (HTTPMethod, String) -> Bool)?
    if streaming { streamsBody = { _, _ in true } }
    var parser = HTTPRequestParser(limits: .init(maxBodyBytes: 4096, maxStreamingBodyBytes: 4096, streamsBody: streamsBody))
    var buffer = ByteBuffer()
    var requests: [ParsedRequest] = []
    var streamingHead: HTTPRequestHead?
    var streamedBody: [UInt8] = []
    var offset = 0
    var cuts = splits.filter { $0 > 0 && $0 < bytes.count }.sorted()
    cuts.append(bytes.count)
    var calls = 0
    for cut in cuts where cut > offset {
        buffer.append(contentsOf: bytes[offset..<cut])
        offset = cut
        while true {
            calls += 1
            precondition(calls < 100_000, "parser made no progress")
            switch parser.next(&buffer) {
            case .needMore:
                break
            case .head(let head):
                if head.streamsBody {
                    precondition(streaming && streamingHead == nil, "streamed head outside streaming mode")
                    streamingHead = head
                    streamedBody = []
                }
                continue
            case .bodyChunk(let chunk):
                precondition(streamingHead != nil && !chunk.isEmpty, "body chunk without a streamed head")
                streamedBody += chunk
                continue
            case .bodyEnd:
                let head = streamingHead!
                if case .length(let length) = head.framing { precondition(length == streamedBody.count, "streamed body length differs") }
                requests.append(ParsedRequest(method: head.method.description, target: head.target, headers: [], body: streamedBody))
                streamingHead = nil
                continue
            case .request(let head, let body):
                if case .length(let length) = head.framing { precondition(length == body.count, "body length differs from Content-Length") }
                if head.framing == .none { precondition(body.isEmpty, "body without framing") }
                requests.append(ParsedRequest(method: head.method.description, target: head.target,
                                              headers: streaming ? [] : head.headers.map { "\($0.name.lowercased()):\($0.value)" }, body: body))
                continue
            case .failure(let status, _):
                precondition((400...505).contains(status.code), "failure status out of range")
                return .requests(requests, failure: status.code)
            }
            break
        }
    }
    return .requests(requests, failure: nil)
}

/// The same outcome without header lists (streaming mode keeps `Transfer-Encoding`, buffering
/// rewrites it), for comparing the two modes.
func bodiesOnly(_ outcome: Outcome) -> Outcome {
    guard case .requests(let requests, let failure) = outcome else { return outcome }
    return .requests(requests.map { ParsedRequest(method: $0.method, target: $0.target, headers: [], body: $0.body) }, failure: failure)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The first byte picks the split points, so the fuzzer explores segmentations too.
    let seed = Int(bytes[0])
    let input = Array(bytes.dropFirst())
    var splits: [Int] = []
    if !input.isEmpty {
        var position = seed % 7 + 1
        while position < input.count {
            splits.append(position)
            position += (seed % 13) + 1 + splits.count % 5
        }
    }
    let whole = parseRequests(input, splits: [])
    let pieces = parseRequests(input, splits: splits)
    precondition(whole == pieces, "segmentation changed the parse: \(whole) vs \(pieces)")
    let streamed = parseRequests(input, splits: splits, streaming: true)
    precondition(bodiesOnly(whole) == streamed, "streaming changed the parse: \(whole) vs \(streamed)")

    var responseParser = HTTPResponseParser(maxBodyBytes: 4096)
    var buffer = ByteBuffer(input)
    for _ in 0..<64 {
        switch responseParser.next(&buffer, requestWasHead: seed & 1 == 1) {
        case .needMore, .failure: return 0
        case .response: continue
        }
    }
    return 0
}
