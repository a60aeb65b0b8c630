/// Incremental HTTP/1.1 request parser (RFC 9112). Feed it the connection's buffer after every read;
/// it consumes exactly one request's bytes at a time, so pipelined requests stay queued in the buffer
/// until the previous response is on its way.
///
/// It is strict where leniency enables request smuggling (conflicting `Content-Length`, both
/// `Content-Length` and `Transfer-Encoding`, obsolete line folding, whitespace before the colon,
/// bare CR) and lenient where RFC 9112 §2.2 allows (a bare LF ends a line).
public struct HTTPRequestParser: Sendable {
    public struct Limits: Sendable {
        /// Request line plus header fields; more → 431 (request line alone over `maxTargetBytes` → 414).
        public var maxHeadBytes = 16 * 1024
        public var maxTargetBytes = 8 * 1024
        public var maxHeaderCount = 128
        /// Decoded body size; more → 413.
        public var maxBodyBytes = 32 * 1024 * 1024
        /// Body size for routes that stream their bodies (bulk ingest); more → 413.
        public var maxStreamingBodyBytes = 4 << 30
        /// Whether a request's body is streamed to its handler, decided from method and path when
        /// the head is complete. Nil: no route streams.
        public var streamsBody: (@Sendable (HTTPMethod, String) -> Bool)?
        public init(maxBodyBytes: Int = 32 * 1024 * 1024, maxStreamingBodyBytes: Int = 4 << 30,
                    streamsBody: (@Sendable (HTTPMethod, String) -> Bool)? = nil) {
            self.maxBodyBytes = maxBodyBytes
            self.maxStreamingBodyBytes = maxStreamingBodyBytes
            self.streamsBody = streamsBody
        }
    }

    public enum Event: Sendable {
        /// Not enough bytes yet.
        case needMore
        /// A streamed body's next bytes (after `.head` with `streamsBody`).
        case bodyChunk([UInt8])
        /// A streamed body is complete; the next request may follow.
        case bodyEnd
        /// The head is complete and a body follows; reported once, so the server can answer
        /// `100 Continue` (or refuse early) before the client sends the body.
        case head(HTTPRequestHead)
        /// A whole request; its bytes have been consumed from the buffer.
        case request(HTTPRequestHead, body: [UInt8])
        /// The bytes cannot be a valid request; answer `status` and close the connection.
        case failure(HTTPStatus, String)
    }

    private enum State: Sendable {
        case head
        case body(HTTPRequestHead, remaining: Int)
        case chunked(HTTPRequestHead, ChunkedBodyDecoder)
        case streamLength(remaining: Int)
        case streamChunked(ChunkedBodyDecoder)
        case failed
    }

    public let limits: Limits
    private var state: State = .head
    /// Where the head scan stopped last time, so a slow client costs O(n) total, not O(n²).
    private var scanOffset = 0
    /// Empty lines skipped before the current request line.
    private var leadingEmptyLines = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// True between requests: nothing of the next request has been consumed yet.
    public var isIdle: Bool {
        if case .head = state { return scanOffset == 0 }
        return false
    }

    public mutating func next(_ buffer: inout ByteBuffer) -> Event {
        switch state {
        case .failed:
            return .failure(.badRequest, "connection is in a failed state")
        case .head:
            return parseHead(&buffer)
        case .body(let head, let remaining):
            guard buffer.readableCount >= remaining else { return .needMore }
            let bytes = buffer.read(remaining)
            state = .head
            return .request(head, body: bytes)
        case .streamLength(let remaining):
            if remaining == 0 {
                state = .head
                return .bodyEnd
            }
            guard buffer.readableCount > 0 else { return .needMore }
            let count = Swift.min(remaining, buffer.readableCount, 256 * 1024)
            state = .streamLength(remaining: remaining - count)
            return .bodyChunk(buffer.read(count))
        case .streamChunked(var decoder):
            state = .failed
            switch decoder.decode(&buffer) {
            case .needMore:
                state = .streamChunked(decoder)
                return .needMore
            case .data(let bytes):
                state = .streamChunked(decoder)
                return .bodyChunk(bytes)
            case .complete:
                state = .head
                return .bodyEnd
            case .failure(let status, let message):
                return .failure(status, message)
            }
        case .chunked(let head, var decoder):
            state = .failed  // released while decoding, so the decoder's buffer is not copied
            switch decoder.decode(&buffer) {
            case .needMore:
                state = .chunked(head, decoder)
                return .needMore
            case .data:
                return .failure(.internalServerError, "chunk decoder streamed outside streaming mode")
            case .failure(let status, let message):
                return .failure(status, message)
            case .complete(let body):
                var finished = head
                finished.headers.remove("Transfer-Encoding")
                finished.headers.set("Content-Length", String(body.count))
                finished.framing = body.isEmpty ? .none : .length(body.count)
                state = .head
                return .request(finished, body: body)
            }
        }
    }

    // MARK: Head

    private mutating func parseHead(_ buffer: inout ByteBuffer) -> Event {
        if let early = skipLeadingEmptyLines(&buffer) { return early }
        let readable = buffer.readableCount
        let (headEnd, scanned) = HTTPLines.findHeadEnd(buffer, from: scanOffset, limit: limits.maxHeadBytes + 2)
        scanOffset = scanned
        var requestLineLength = -1
        if headEnd < 0 {
            let window = buffer.storage[buffer.readerIndex..<buffer.readerIndex + min(readable, limits.maxTargetBytes + 2)]
            requestLineLength = window.firstIndex(of: UInt8(ascii: "\n")).map { $0 - buffer.readerIndex } ?? -1
        }
        if headEnd < 0 {
            if requestLineLength > limits.maxTargetBytes || (requestLineLength < 0 && readable > limits.maxTargetBytes) {
                state = .failed
                return .failure(.uriTooLong, "request line longer than \(limits.maxTargetBytes) bytes")
            }
            if readable > limits.maxHeadBytes {
                state = .failed
                return .failure(.headersTooLarge, "request header block larger than \(limits.maxHeadBytes) bytes")
            }
            return .needMore
        }
        let headBytes = buffer.storage[buffer.readerIndex..<buffer.readerIndex + headEnd]
        buffer.moveReader(by: headEnd)
        scanOffset = 0
        leadingEmptyLines = 0
        switch HTTPRequestParser.parseHeadBytes(headBytes, limits: limits) {
        case .failure(let status, let message):
            state = .failed
            return .failure(status, message)
        case .success(var head):
            if head.framing != .none, let streamsBody = limits.streamsBody, streamsBody(head.method, HTTPRequestParser.path(of: head.target)) {
                head.streamsBody = true
                switch head.framing {
                case .length(let length):
                    guard length <= limits.maxStreamingBodyBytes else {
                        state = .failed
                        return .failure(.payloadTooLarge, "request body of \(length) bytes exceeds the streaming limit of \(limits.maxStreamingBodyBytes)")
                    }
                    state = .streamLength(remaining: length)
                case .chunked:
                    state = .streamChunked(ChunkedBodyDecoder(maxBodyBytes: limits.maxStreamingBodyBytes, maxTrailerBytes: limits.maxHeadBytes, streaming: true))
                case .none:
                    break
                }
                return .head(head)
            }
            switch head.framing {
            case .none:
                state = .head
                return .request(head, body: [])
            case .length(let length):
                if length > limits.maxBodyBytes {
                    state = .failed
                    return .failure(.payloadTooLarge, "request body of \(length) bytes exceeds the limit of \(limits.maxBodyBytes)")
                }
                if buffer.readableCount >= length {
                    let bytes = buffer.read(length)
                    state = .head
                    return .request(head, body: bytes)
                }
                state = .body(head, remaining: length)
                return .head(head)
            case .chunked:
                state = .chunked(head, ChunkedBodyDecoder(maxBodyBytes: limits.maxBodyBytes, maxTrailerBytes: limits.maxHeadBytes))
                return .head(head)
            }
        }
    }

    /// Leading empty lines before a request line are ignored (RFC 9112 §2.2), a few at most: a peer
    /// that sends nothing but line ends is answered 400, not read forever. Iterative on purpose —
    /// the fuzzer found that skipping by recursion overflowed the stack on ~2,000 newlines.
    private static let maxLeadingEmptyLines = 8

    private mutating func skipLeadingEmptyLines(_ buffer: inout ByteBuffer) -> Event? {
        while buffer.readableCount > 0 {
            let first = buffer.storage[buffer.readerIndex]
            let length: Int
            if first == UInt8(ascii: "\n") {
                length = 1
            } else if first == UInt8(ascii: "\r") {
                guard buffer.readableCount >= 2 else { return .needMore }
                guard buffer.storage[buffer.readerIndex + 1] == UInt8(ascii: "\n") else {
                    state = .failed
                    return .failure(.badRequest, "bare CR before the request line")
                }
                length = 2
            } else {
                return nil
            }
            leadingEmptyLines += 1
            if leadingEmptyLines > HTTPRequestParser.maxLeadingEmptyLines {
                state = .failed
                return .failure(.badRequest, "too many empty lines before the request line")
            }
            buffer.moveReader(by: length)
            scanOffset = 0
        }
        return .needMore
    }

    private enum HeadResult {
        case success(HTTPRequestHead)
        case failure(HTTPStatus, String)
    }

    private static func parseHeadBytes(_ bytes: ArraySlice<UInt8>, limits: Limits) -> HeadResult {
        guard var lines = HTTPLines.split(bytes) else { return .failure(.badRequest, "bare CR in the request head") }
        // The last line is the empty terminator.
        guard lines.count >= 2, lines.last!.isEmpty else { return .failure(.badRequest, "malformed request head") }
        lines.removeLast()

        // Request line: method SP request-target SP HTTP-version
        let requestLine = lines[0]
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            return .failure(.badRequest, "malformed request line")
        }
        guard parts[0].allSatisfy(isTokenByte) else { return .failure(.badRequest, "invalid method token") }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { return .failure(.badRequest, "invalid request target") }
        guard parts[1].count <= limits.maxTargetBytes else { return .failure(.uriTooLong, "request target too long") }
        let versionBytes = parts[2]
        let version: HTTPVersion
        if versionBytes.elementsEqual("HTTP/1.1".utf8) {
            version = .http1_1
        } else if versionBytes.elementsEqual("HTTP/1.0".utf8) {
            version = .http1_0
        } else if versionBytes.count == 8, versionBytes.starts(with: "HTTP/".utf8),
            let major = versionBytes.dropFirst(5).first, major >= UInt8(ascii: "0"), major <= UInt8(ascii: "9")
        {
            return .failure(.versionNotSupported, "HTTP version not supported")
        } else {
            return .failure(.badRequest, "malformed HTTP version")
        }
        let method = HTTPMethod(String(decoding: parts[0], as: UTF8.self))
        var target = String(decoding: parts[1], as: UTF8.self)
        if !target.hasPrefix("/") {
            if target == "*" {
                // asterisk-form: only for OPTIONS
                guard method == .OPTIONS else { return .failure(.badRequest, "asterisk-form target is for OPTIONS only") }
            } else if let origin = originForm(ofAbsolute: target) {
                target = origin
            } else {
                return .failure(.badRequest, "request target must be origin-form (/path)")
            }
        }

        // Header fields.
        guard lines.count - 1 <= limits.maxHeaderCount else {
            return .failure(.headersTooLarge, "more than \(limits.maxHeaderCount) header fields")
        }
        let headers: HTTPHeaders
        switch HTTPLines.parseFields(lines.dropFirst()) {
        case .success(let parsed): headers = parsed
        case .failure(let error): return .failure(.badRequest, error.message)
        }

        if version == .http1_1 {
            let hosts = headers.values("Host")
            guard hosts.count == 1 else {
                return .failure(.badRequest, hosts.isEmpty ? "HTTP/1.1 request without Host" : "more than one Host header")
            }
        }

        // Body framing (RFC 9112 §6.3).
        let transferEncodings = headers.values("Transfer-Encoding")
        let lengths = headers.values("Content-Length")
        var framing = BodyFraming.none
        if !transferEncodings.isEmpty {
            guard lengths.isEmpty else { return .failure(.badRequest, "both Transfer-Encoding and Content-Length") }
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }.map { $0.trimmingASCIIWhitespace() }
            guard let last = codings.last, last.equalsIgnoringASCIICase("chunked") else {
                return .failure(.badRequest, "Transfer-Encoding must end with chunked")
            }
            guard codings.count == 1 else { return .failure(.notImplemented, "only the chunked transfer coding is supported") }
            framing = .chunked
        } else if !lengths.isEmpty {
            let value: Int?
            switch HTTPLines.contentLength(lengths) {
            case .success(let parsed): value = parsed
            case .failure(let error): return .failure(.badRequest, error.message)
            }
            if let value, value > 0 { framing = .length(value) }
        }

        var expectsContinue = false
        if let expect = headers["Expect"] {
            guard expect.trimmingASCIIWhitespace().equalsIgnoringASCIICase("100-continue") else {
                return .failure(.expectationFailed, "unsupported expectation '\(expect)'")
            }
            expectsContinue = version == .http1_1 && framing != .none
        }
        return .success(HTTPRequestHead(
            method: method, target: target, version: version, headers: headers,
            framing: framing, expectsContinue: expectsContinue
        ))
    }

    static func path(of target: String) -> String {
        guard let question = target.firstIndex(of: "?") else { return target }
        return String(target[..<question])
    }

    /// absolute-form `http://host:port/path?q` → `/path?q` (RFC 9112 §3.2.2: servers must accept it).
    private static func originForm(ofAbsolute target: String) -> String? {
        let lower = target.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
        let afterScheme = target[target.index(target.startIndex, offsetBy: lower.hasPrefix("http://") ? 7 : 8)...]
        guard let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let rest = afterScheme[slash...]
        return rest.hasPrefix("?") ? "/" + rest : String(rest)
    }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

/// tchar (RFC 9110 §5.6.2): the bytes allowed in methods and header names.
@inline(__always)
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
        UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
        UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default:
        return false
    }
}
