/// Incremental HTTP/1.1 response parser for the client side (RFC 9112 §4, §6.3).
struct HTTPResponseParser: Sendable {
    enum Event: Sendable {
        case needMore
        case response(HTTPClientResponse, keepAlive: Bool)
        case failure(String)
        /// Streaming mode: the head of a response whose body (chunked or until close) follows as
        /// `.bodyData` pieces and one `.bodyEnd`.
        case streamHead(status: HTTPStatus, headers: HTTPHeaders)
        case bodyData([UInt8])
        case bodyEnd(keepAlive: Bool)
    }

    private enum State: Sendable {
        case head
        case body(status: HTTPStatus, headers: HTTPHeaders, remaining: Int, keepAlive: Bool)
        case chunked(status: HTTPStatus, headers: HTTPHeaders, decoder: ChunkedBodyDecoder, keepAlive: Bool)
        case untilClose(status: HTTPStatus, headers: HTTPHeaders)
        case streamingChunked(decoder: ChunkedBodyDecoder, keepAlive: Bool)
        case streamingUntilClose
        case failed
    }

    let maxHeadBytes = 64 * 1024
    let maxBodyBytes: Int
    private var state = State.head
    private var scanOffset = 0

    /// Streaming mode: chunked and close-delimited bodies are handed out as they arrive instead of
    /// accumulated (a body with a Content-Length is still delivered whole).
    let streaming: Bool

    init(maxBodyBytes: Int, streaming: Bool = false) {
        self.maxBodyBytes = maxBodyBytes
        self.streaming = streaming
    }

    /// `requestWasHead`: a response to HEAD has no body whatever its headers say.
    mutating func next(_ buffer: inout ByteBuffer, requestWasHead: Bool) -> Event {
        while true {
            switch state {
            case .failed:
                return .failure("connection in failed state")
            case .head:
                let (end, scanned) = HTTPLines.findHeadEnd(buffer, from: scanOffset, limit: maxHeadBytes)
                scanOffset = scanned
                guard end >= 0 else {
                    if buffer.readableCount > maxHeadBytes { return fail("response head larger than \(maxHeadBytes) bytes") }
                    return .needMore
                }
                let bytes = buffer.storage[buffer.readerIndex..<buffer.readerIndex + end]
                buffer.moveReader(by: end)
                scanOffset = 0
                guard let lines = HTTPLines.split(bytes), lines.count >= 2 else { return fail("malformed response head") }
                let statusLine = lines[0]
                guard statusLine.count >= 12, statusLine.starts(with: "HTTP/1.".utf8),
                    statusLine[statusLine.startIndex + 8] == UInt8(ascii: " "),
                    let code = Int(String(decoding: statusLine[(statusLine.startIndex + 9)..<(statusLine.startIndex + 12)], as: UTF8.self)),
                    (100...999).contains(code)
                else { return fail("malformed status line") }
                let isHTTP10 = statusLine[statusLine.startIndex + 7] == UInt8(ascii: "0")
                let headers: HTTPHeaders
                switch HTTPLines.parseFields(lines[1..<(lines.count - 1)]) {
                case .success(let parsed): headers = parsed
                case .failure(let error): return fail(error.message)
                }
                let status = HTTPStatus(code)
                if code >= 100 && code < 200 { continue }  // interim (e.g. 100 Continue): the real one follows
                let keepAlive = isHTTP10 ? headers.hasToken("keep-alive", in: "Connection") : !headers.hasToken("close", in: "Connection")
                if requestWasHead || status.forbidsBody {
                    return .response(HTTPClientResponse(status: status, headers: headers, body: []), keepAlive: keepAlive)
                }
                if headers.contains("Transfer-Encoding") {
                    guard headers.values("Transfer-Encoding").last?.trimmingASCIIWhitespace().lowercased().hasSuffix("chunked") == true else {
                        if streaming {
                            state = .streamingUntilClose
                            return .streamHead(status: status, headers: headers)
                        }
                        state = .untilClose(status: status, headers: headers)
                        continue
                    }
                    if streaming {
                        // The stream's total is bounded by its consumer, not by maxBodyBytes.
                        state = .streamingChunked(decoder: ChunkedBodyDecoder(maxBodyBytes: Int.max, streaming: true), keepAlive: keepAlive)
                        return .streamHead(status: status, headers: headers)
                    }
                    state = .chunked(status: status, headers: headers, decoder: ChunkedBodyDecoder(maxBodyBytes: maxBodyBytes), keepAlive: keepAlive)
                } else {
                    switch HTTPLines.contentLength(headers.values("Content-Length")) {
                    case .failure(let error): return fail(error.message)
                    case .success(nil) where streaming:
                        state = .streamingUntilClose
                        return .streamHead(status: status, headers: headers)
                    case .success(nil): state = .untilClose(status: status, headers: headers)
                    case .success(let length?):
                        guard length <= maxBodyBytes else { return fail("response body of \(length) bytes exceeds \(maxBodyBytes)") }
                        state = .body(status: status, headers: headers, remaining: length, keepAlive: keepAlive)
                    }
                }
            case .body(let status, let headers, let remaining, let keepAlive):
                guard buffer.readableCount >= remaining else { return .needMore }
                let body = buffer.read(remaining)
                state = .head
                return .response(HTTPClientResponse(status: status, headers: headers, body: body), keepAlive: keepAlive)
            case .chunked(let status, let headers, var decoder, let keepAlive):
                state = .failed
                switch decoder.decode(&buffer) {
                case .needMore:
                    state = .chunked(status: status, headers: headers, decoder: decoder, keepAlive: keepAlive)
                    return .needMore
                case .failure(_, let message):
                    return fail(message)
                case .data:
                    return fail("chunk decoder streamed outside streaming mode")
                case .complete(let body):
                    state = .head
                    return .response(HTTPClientResponse(status: status, headers: headers, body: body), keepAlive: keepAlive)
                }
            case .streamingChunked(var decoder, let keepAlive):
                state = .failed
                switch decoder.decode(&buffer) {
                case .needMore:
                    state = .streamingChunked(decoder: decoder, keepAlive: keepAlive)
                    return .needMore
                case .failure(_, let message):
                    return fail(message)
                case .data(let bytes):
                    state = .streamingChunked(decoder: decoder, keepAlive: keepAlive)
                    return .bodyData(bytes)
                case .complete:
                    state = .head
                    return .bodyEnd(keepAlive: keepAlive)
                }
            case .streamingUntilClose:
                guard buffer.readableCount > 0 else { return .needMore }
                return .bodyData(buffer.read(buffer.readableCount))
            case .untilClose:
                if buffer.readableCount > maxBodyBytes { return fail("response body exceeds \(maxBodyBytes) bytes") }
                return .needMore
            }
        }
    }

    /// The peer closed the connection: completes a read-until-close body, else reports truncation.
    mutating func finishAtEOF(_ buffer: inout ByteBuffer) -> Event {
        if case .streamingUntilClose = state {
            state = .failed
            return .bodyEnd(keepAlive: false)
        }
        if case .untilClose(let status, let headers) = state {
            state = .failed
            return .response(HTTPClientResponse(status: status, headers: headers, body: buffer.read(buffer.readableCount)), keepAlive: false)
        }
        return .failure("connection closed before the response was complete")
    }

    /// True while nothing of a response has been received.
    var isIdle: Bool {
        if case .head = state { return scanOffset == 0 }
        return false
    }

    private mutating func fail(_ message: String) -> Event {
        state = .failed
        return .failure(message)
    }
}
