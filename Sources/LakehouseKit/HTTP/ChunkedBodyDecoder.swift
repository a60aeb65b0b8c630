/// Decodes a chunked message body (RFC 9112 §7.1) incrementally; shared by the request and
/// response parsers. Chunk extensions and trailer fields are read and dropped. In streaming mode
/// data is handed out as it arrives (`.data`) instead of being accumulated.
struct ChunkedBodyDecoder: Sendable {
    enum Result: Sendable {
        case needMore
        /// Streaming mode: the next piece of body.
        case data([UInt8])
        /// The body is complete (empty in streaming mode: the data went out as `.data`).
        case complete([UInt8])
        case failure(HTTPStatus, String)
    }

    private enum State: Sendable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(bytesSeen: Int)
        case failed
    }

    let maxBodyBytes: Int
    let maxTrailerBytes: Int
    let streaming: Bool
    private var state = State.size
    private var body: [UInt8] = []
    /// Body bytes decoded so far (accumulated or handed out).
    private var received = 0

    init(maxBodyBytes: Int, maxTrailerBytes: Int = 16 * 1024, streaming: Bool = false) {
        self.maxBodyBytes = maxBodyBytes
        self.maxTrailerBytes = maxTrailerBytes
        self.streaming = streaming
    }

    mutating func decode(_ buffer: inout ByteBuffer) -> Result {
        while true {
            switch state {
            case .failed:
                return .failure(.badRequest, "malformed chunked body")
            case .size:
                guard let line = HTTPLines.takeLine(&buffer, max: 1024) else {
                    if buffer.readableCount > 1024 { return fail(.badRequest, "chunk size line too long") }
                    return .needMore
                }
                var digits = line.prefix(while: { $0 != UInt8(ascii: ";") })
                while let last = digits.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { digits = digits.dropLast() }
                guard !digits.isEmpty, digits.count <= 15 else { return fail(.badRequest, "invalid chunk size") }
                var size = 0
                for byte in digits {
                    guard let digit = HTTPRequestParser.hexValue(byte) else { return fail(.badRequest, "invalid chunk size") }
                    size = size * 16 + digit
                }
                if size == 0 {
                    state = .trailers(bytesSeen: 0)
                } else {
                    guard received + size <= maxBodyBytes else {
                        return fail(.payloadTooLarge, "chunked body exceeds the limit of \(maxBodyBytes) bytes")
                    }
                    state = .data(remaining: size)
                }
            case .data(let remaining):
                let available = min(remaining, buffer.readableCount)
                if available == 0 { return .needMore }
                received += available
                state = remaining == available ? .dataEnd : .data(remaining: remaining - available)
                if streaming { return .data(buffer.read(available)) }
                body.append(contentsOf: buffer.storage[buffer.readerIndex..<buffer.readerIndex + available])
                buffer.moveReader(by: available)
            case .dataEnd:
                guard let line = HTTPLines.takeLine(&buffer, max: 0) else {
                    if buffer.readableCount >= 2 { return fail(.badRequest, "chunk data not followed by CRLF") }
                    return .needMore
                }
                guard line.isEmpty else { return fail(.badRequest, "chunk data not followed by CRLF") }
                state = .size
            case .trailers(let bytesSeen):
                guard let line = HTTPLines.takeLine(&buffer, max: maxTrailerBytes) else {
                    if bytesSeen + buffer.readableCount > maxTrailerBytes { return fail(.headersTooLarge, "trailer section too large") }
                    return .needMore
                }
                if line.isEmpty {
                    let result = body
                    body = []
                    received = 0
                    state = .size
                    return .complete(result)
                }
                let seen = bytesSeen + line.count + 2
                if seen > maxTrailerBytes { return fail(.headersTooLarge, "trailer section too large") }
                state = .trailers(bytesSeen: seen)
            }
        }
    }

    private mutating func fail(_ status: HTTPStatus, _ message: String) -> Result {
        state = .failed
        body = []
        return .failure(status, message)
    }
}

/// Line handling shared by the parsers: a line ends with CRLF, or a bare LF (RFC 9112 §2.2).
enum HTTPLines {
    /// Takes one line (without its terminator) if its end is within `max` bytes of the reader.
    static func takeLine(_ buffer: inout ByteBuffer, max: Int) -> ArraySlice<UInt8>? {
        let start = buffer.readerIndex
        let end = min(buffer.storage.count, start + max + 2)
        guard let lf = buffer.storage[start..<end].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        var lineEnd = lf
        if lineEnd > start && buffer.storage[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        let line = buffer.storage[start..<lineEnd]
        buffer.moveReader(by: lf - start + 1)
        return line
    }

    /// Offset just past the blank line that ends a head, scanning from `from`; -1 if not within `limit`.
    /// Returns the offset where scanning stopped, so a caller can resume without rescanning.
    static func findHeadEnd(_ buffer: ByteBuffer, from: Int, limit: Int) -> (end: Int, scanned: Int) {
        let readable = min(buffer.readableCount, limit)
        return buffer.storage.withUnsafeBufferPointer { all in
            let base = buffer.readerIndex
            var i = max(from, 0)
            while i < readable {
                if all[base + i] == UInt8(ascii: "\n") {
                    if i >= 1 && all[base + i - 1] == UInt8(ascii: "\n") { return (i + 1, i + 1) }
                    if i >= 2 && all[base + i - 1] == UInt8(ascii: "\r") && all[base + i - 2] == UInt8(ascii: "\n") { return (i + 1, i + 1) }
                }
                i += 1
            }
            return (-1, readable)
        }
    }

    /// Splits a head (ending in its blank line) into lines; nil on a bare CR.
    static func split(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>]? {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
            var end = i
            if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = bytes[start..<end]
            if line.contains(UInt8(ascii: "\r")) { return nil }
            lines.append(line)
            start = i + 1
        }
        return lines
    }

    /// Parses `name: value` field lines (RFC 9112 §5). Rejects folding, whitespace before the colon,
    /// invalid names and control characters in values.
    static func parseFields(_ lines: ArraySlice<ArraySlice<UInt8>>) -> Swift.Result<HTTPHeaders, FieldError> {
        var headers = HTTPHeaders()
        for line in lines {
            guard let first = line.first else { continue }
            if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { return .failure(FieldError("obsolete line folding is not accepted")) }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .failure(FieldError("header field without a colon")) }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return .failure(FieldError("invalid header field name")) }
            var value = line[(colon + 1)...]
            while let f = value.first, f == UInt8(ascii: " ") || f == UInt8(ascii: "\t") { value = value.dropFirst() }
            while let l = value.last, l == UInt8(ascii: " ") || l == UInt8(ascii: "\t") { value = value.dropLast() }
            guard value.allSatisfy({ ($0 >= 0x20 || $0 == 0x09) && $0 != 0x7F }) else {
                return .failure(FieldError("control character in header field value"))
            }
            headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
        return .success(headers)
    }

    struct FieldError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// Content-Length per RFC 9112 §6.3: digits only; repeated values must agree.
    static func contentLength(_ values: [String]) -> Swift.Result<Int?, FieldError> {
        var value: Int? = nil
        for field in values {
            for part in field.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = part.trimmingASCIIWhitespace()
                guard !digits.isEmpty, digits.count <= 18, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(digits) else {
                    return .failure(FieldError("invalid Content-Length"))
                }
                if let previous = value, previous != n { return .failure(FieldError("conflicting Content-Length values")) }
                value = n
            }
        }
        return .success(value)
    }
}
