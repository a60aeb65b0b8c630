import CEpoll
import Glibc

/// One accepted connection: reads and parses requests, hands each to the dispatcher, writes the
/// responses in order. At most one request per connection is in a handler at a time; pipelined
/// requests wait, already buffered, until the previous response is queued — which is exactly the
/// in-order answering RFC 9112 §9.3.2 requires.
///
/// Confined to its event loop's thread.
final class ServerConnection: EventLoopHandler, @unchecked Sendable {
    let fd: Int32
    let server: HTTPServer
    let owner: LoopConnections
    private var loop: EventLoop { owner.loop }

    private var input = ByteBuffer()
    private var parser: HTTPRequestParser
    private var output: [UInt8] = []
    private var outputOffset = 0

    private var inFlight = false
    private var closeAfterWrite = false
    private var closed = false
    private var peerClosedInput = false
    /// Stopped reading because a request is in flight and enough is buffered (back-pressure).
    private var readPaused = false
    /// Re-entrancy guard: an inline handler answers while we are still inside `processInput`.
    private var processing = false
    /// The body of the request in flight, while it is still streaming in to its handler.
    private var bodyStream: RequestBodyStream?
    /// The body of the response being sent, while its handler is still writing it.
    private var responseStream: ResponseBodyStream?
    /// What to do once `responseStream` ends: whether the connection stays open.
    private var responseStreamKeepOpen = false
    /// HTTP/1.0 clients get a close-delimited body instead of chunks.
    private var responseStreamChunked = true

    private var lastActivity: UInt64
    /// When the first byte of the request now being received arrived (nil between requests).
    private var requestStarted: UInt64?
    /// When writing last stalled with bytes still to send (nil while writes make progress).
    private var writeStalledSince: UInt64?

    /// Pause reading once this much is buffered beyond the request being handled.
    private static let pauseReadingAt = 256 * 1024

    init(fd: Int32, server: HTTPServer, owner: LoopConnections) {
        self.fd = fd
        self.server = server
        self.owner = owner
        let router = server.dispatcher.router
        var streamsBody: (@Sendable (HTTPMethod, String) -> Bool)?
        if router.hasStreamingRoutes {
            streamsBody = { method, path in router.streamsBody(method, path: path) }
        }
        parser = HTTPRequestParser(limits: .init(
            maxBodyBytes: server.configuration.maxBodyBytes,
            maxStreamingBodyBytes: server.configuration.maxStreamingBodyBytes,
            streamsBody: streamsBody
        ))
        lastActivity = MonotonicClock.nanoseconds()
    }

    // MARK: Events

    func handleEvents(_ events: UInt32) {
        if events & EPOLLERR.rawValue != 0 {
            close()
            return
        }
        if events & EPOLLOUT.rawValue != 0 && outputOffset < output.count {
            flush()
        }
        if closed { return }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0 {
            readAvailable(untilEOF: events & (EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0)
        }
    }

    /// Reads until the socket is drained. Edge-triggered epoll signals every new arrival, so a short
    /// read ends the loop without the extra EAGAIN read — unless the peer hung up, whose EOF must be seen.
    private func readAvailable(untilEOF: Bool = false) {
        guard !closed, !peerClosedInput else { return }
        while true {
            if inFlight && input.readableCount >= ServerConnection.pauseReadingAt {
                readPaused = true
                return
            }
            switch Socket.read(fd, into: loop.readBuffer) {
            case .bytes(let count):
                lastActivity = MonotonicClock.nanoseconds()
                if requestStarted == nil { requestStarted = lastActivity }
                input.append(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<count]))
                if !inFlight || bodyStream != nil { processInput() }
                if closed { return }
                if count < loop.readBuffer.count && !untilEOF { return }
            case .wouldBlock:
                return
            case .closed:
                peerClosedInput = true
                if let stream = bodyStream {
                    // processInput above consumed what arrived; the rest of the body never will.
                    stream.fail(APIError.badRequest("the client closed the connection before the body was complete"))
                    bodyStream = nil
                    closeAfterWrite = true
                }
                // A client may half-close after sending its request; finish answering, then close.
                if !inFlight && outputOffset >= output.count { close() }
                return
            case .failed:
                close()
                return
            }
        }
    }

    // MARK: Requests

    private func processInput() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while !closed {
            if bodyStream != nil {
                guard streamBody() else { return }
                continue
            }
            if inFlight || closeAfterWrite { return }
            switch parser.next(&input) {
            case .needMore:
                if parser.isIdle && input.isEmpty { requestStarted = nil }
                if peerClosedInput && outputOffset >= output.count { close() }
                return
            case .head(let head):
                if head.expectsContinue {
                    // RFC 9110 §10.1.1: the client waits for this before sending the body.
                    queue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                    flush()
                }
                if head.streamsBody { startStreaming(head) }
            case .request(let head, let body):
                requestStarted = input.isEmpty ? nil : MonotonicClock.nanoseconds()
                inFlight = true
                let keepAlive = head.keepAlive && !owner.draining
                let isHead = head.method == .HEAD
                let version = head.version
                server.inFlightRequests.add(1, ordering: .relaxed)
                let request = HTTPRequest(head: head, body: body)
                server.dispatcher.dispatch(request, on: loop) { [self] response in
                    server.inFlightRequests.subtract(1, ordering: .relaxed)
                    respond(response, keepAlive: keepAlive, isHead: isHead, version: version)
                }
            case .bodyChunk, .bodyEnd:
                return  // only while a body streams, handled above
            case .failure(let status, let message):
                let requestID = RequestID.make()
                var response = HTTPResponse.error(APIError.forProtocolFailure(status, message), requestID: requestID)
                response.headers.set("X-Request-Id", requestID)
                server.dispatcher.countProtocolFailure(status)
                respond(response, keepAlive: false, isHead: false, version: .http1_1)
                return
            }
        }
    }

    /// Dispatches a request whose body will stream in; its handler starts before the body arrives.
    private func startStreaming(_ head: HTTPRequestHead) {
        // The stream holds this connection until the body ends or the connection closes (both
        // clear `bodyStream`), so the cycle is short-lived.
        let stream = RequestBodyStream { [self] in
            loop.execute { self.resumeStreaming() }
        }
        bodyStream = stream
        inFlight = true
        let keepAlive = head.keepAlive && !owner.draining
        let version = head.version
        server.inFlightRequests.add(1, ordering: .relaxed)
        server.dispatcher.dispatchStreaming(HTTPRequest(head: head, body: []), body: stream, on: loop) { [self] response in
            server.inFlightRequests.subtract(1, ordering: .relaxed)
            respond(response, keepAlive: keepAlive, isHead: false, version: version)
        }
    }

    /// Moves one parser event of a streaming body into its stream; false when nothing more can be
    /// done now (need bytes, or the handler's buffer is full).
    private func streamBody() -> Bool {
        guard let stream = bodyStream, !stream.isPaused else { return false }
        switch parser.next(&input) {
        case .bodyChunk(let bytes):
            _ = stream.yield(bytes)
            return true
        case .bodyEnd:
            stream.finish()
            bodyStream = nil
            requestStarted = input.isEmpty ? nil : MonotonicClock.nanoseconds()
            return true
        case .needMore:
            if readPaused {
                // The input buffer drained into the stream: read the socket again.
                readPaused = false
                readAvailable()
                return !input.isEmpty
            }
            return false
        case .failure(let status, let message):
            stream.fail(APIError.forProtocolFailure(status, message))
            bodyStream = nil
            closeAfterWrite = true  // the framing is broken: answer, then close
            return false
        case .head, .request:
            return false
        }
    }

    /// The handler drained its body buffer: continue moving bytes, and reading if we had stopped.
    private func resumeStreaming() {
        guard !closed else { return }
        processInput()
        if readPaused && bodyStream != nil && input.readableCount < ServerConnection.pauseReadingAt {
            readPaused = false
            readAvailable()
        }
    }

    /// Queues a response (called on the loop thread), then goes on with pipelined input.
    private func respond(_ response: HTTPResponse, keepAlive: Bool, isHead: Bool, version: HTTPVersion) {
        guard !closed else { return }
        var bodyUnread = false
        if let stream = bodyStream {
            // Answered before its body was all read (e.g. 404 for an unknown index): the rest of
            // the body is still on the wire, so this connection cannot carry another request.
            stream.abandon()
            bodyStream = nil
            bodyUnread = true
        }
        var keepOpen = keepAlive && !owner.draining && !peerClosedInput && !bodyUnread
        if let stream = response.bodyStream {
            if !isHead && !response.status.forbidsBody {
                // Streamed: the head now, the chunks as the handler writes them (`pumpResponseStream`).
                responseStreamChunked = version != .http1_0
                if !responseStreamChunked { keepOpen = false }
                responseStream = stream
                responseStreamKeepOpen = keepOpen
                queue(serialize(response, keepAlive: keepOpen, isHead: false, version: version, streamed: true))
                flush()
                if closed { return }
                stream.attach { [self] in loop.execute { self.pumpResponseStream() } }
                return
            }
            stream.cancel()
        }
        queue(serialize(response, keepAlive: keepOpen, isHead: isHead, version: version))
        finishResponse(keepOpen: keepOpen)
    }

    /// The response in flight has been queued whole: go on with the next request, or close.
    private func finishResponse(keepOpen: Bool) {
        inFlight = false
        if !keepOpen { closeAfterWrite = true }
        flush()
        if closed || closeAfterWrite { return }
        if !processing { processInput() }
        if readPaused && !inFlight {
            readPaused = false
            readAvailable()
        }
    }

    /// Moves what the handler wrote into the output as chunks, while the socket keeps up; the last
    /// chunk ends the response. Runs on the loop when the handler writes and when output drains.
    private func pumpResponseStream() {
        guard !closed, let stream = responseStream else { return }
        // Back-pressure: leave the bytes in the stream (its writer waits) while the socket is behind.
        guard output.count - outputOffset < ResponseBodyStream.lowWater else { return }
        let (bytes, end) = stream.take()
        if !bytes.isEmpty {
            if responseStreamChunked {
                queue(Array((String(bytes.count, radix: 16) + "\r\n").utf8))
                queue(bytes)
                queue(Array("\r\n".utf8))
            } else {
                queue(bytes)
            }
        }
        switch end {
        case .open:
            if !bytes.isEmpty { flush() }
        case .aborted:
            // What was written goes out, then the connection closes without the last chunk.
            responseStream = nil
            closeAfterWrite = true
            flush()
        case .finished:
            responseStream = nil
            if responseStreamChunked { queue(Array("0\r\n\r\n".utf8)) }
            finishResponse(keepOpen: responseStreamKeepOpen && !owner.draining)
        }
    }

    private func serialize(_ response: HTTPResponse, keepAlive: Bool, isHead: Bool, version: HTTPVersion, streamed: Bool = false) -> [UInt8] {
        let sendsBody = !isHead && !response.status.forbidsBody
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + response.headers.count * 48 + (sendsBody ? response.body.count : 0))
        func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
        append("HTTP/1.1 ")
        append(String(response.status.code))
        bytes.append(UInt8(ascii: " "))
        append(response.status.reason)
        append("\r\n")
        for (name, value) in response.headers where !name.equalsIgnoringASCIICase("Content-Length") && !name.equalsIgnoringASCIICase("Connection")
            && !name.equalsIgnoringASCIICase("Transfer-Encoding") {
            append(name)
            append(": ")
            append(value)
            append("\r\n")
        }
        if streamed {
            if version != .http1_0 { append("Transfer-Encoding: chunked\r\n") }
        } else if !response.status.forbidsBody {
            append("Content-Length: ")
            append(String(response.body.count))
            append("\r\n")
        }
        if !keepAlive {
            append("Connection: close\r\n")
        } else if version == .http1_0 {
            append("Connection: keep-alive\r\n")
        }
        append("Date: ")
        append(owner.currentDate())
        append("\r\n\r\n")
        if sendsBody { bytes.append(contentsOf: response.body) }
        return bytes
    }

    // MARK: Writing

    private func queue(_ bytes: [UInt8]) {
        if outputOffset == output.count {
            output = bytes
            outputOffset = 0
        } else {
            output.append(contentsOf: bytes)
        }
    }

    private func flush() {
        let hadOutput = outputOffset < output.count
        while outputOffset < output.count {
            let result = output.withUnsafeBytes { all in
                Socket.write(fd, UnsafeRawBufferPointer(rebasing: all[outputOffset...]))
            }
            switch result {
            case .bytes(let count):
                outputOffset += count
                writeStalledSince = nil
                lastActivity = MonotonicClock.nanoseconds()
            case .wouldBlock:
                if writeStalledSince == nil { writeStalledSince = MonotonicClock.nanoseconds() }
                return  // EPOLLOUT (edge-triggered) resumes us.
            case .closed, .failed:
                close()
                return
            }
        }
        output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
        outputOffset = 0
        writeStalledSince = nil
        if responseStream != nil {
            guard hadOutput else { return }
            // Drained while a handler is still writing: take its next bytes (re-entry is bounded:
            // the pump flushes only what it queued, and calls back here only once drained again).
            loop.execute { [self] in pumpResponseStream() }
            return
        }
        if closeAfterWrite || (peerClosedInput && !inFlight && input.isEmpty) {
            close()
        }
    }

    // MARK: Timeouts, drain, close

    func checkTimeouts(now: UInt64) {
        guard !closed else { return }
        let configuration = server.configuration
        if let stalled = writeStalledSince, now &- stalled > configuration.writeTimeoutNs {
            Socket.setLingerZero(fd)
            close()
            return
        }
        if let stream = bodyStream, !stream.isPaused, now &- lastActivity > configuration.requestTimeoutNs {
            // A streaming body that stopped arriving: fail it; the handler answers, then we close.
            stream.fail(APIError.forProtocolFailure(.requestTimeout, "request body stalled for more than \(configuration.requestTimeoutNs / 1_000_000) ms"))
            bodyStream = nil
            closeAfterWrite = true
            return
        }
        if inFlight { return }
        if let started = requestStarted, now &- started > configuration.requestTimeoutNs {
            // The slow-client cut-off: a request that trickles in never holds a connection for long.
            var response = HTTPResponse.error(APIError.forProtocolFailure(.requestTimeout, "request not received within \(configuration.requestTimeoutNs / 1_000_000) ms"), requestID: "")
            response.headers.set("Connection", "close")
            server.dispatcher.countProtocolFailure(.requestTimeout)
            closeAfterWrite = true
            queue(serialize(response, keepAlive: false, isHead: false, version: .http1_1))
            flush()
            if !closed { Socket.setLingerZero(fd); close() }
            return
        }
        if requestStarted == nil && outputOffset >= output.count && now &- lastActivity > configuration.idleTimeoutNs {
            close()
        }
    }

    func drain() {
        // In flight: its response carries `Connection: close` (owner.draining) and closes after writing.
        if inFlight { return }
        if outputOffset < output.count {
            closeAfterWrite = true
            return
        }
        close()
    }

    func close() {
        guard !closed else { return }
        closed = true
        bodyStream?.fail(APIError.badRequest("connection closed"))
        bodyStream = nil
        responseStream?.cancel()
        responseStream = nil
        loop.deregister(fd: fd)
        Glibc.close(fd)
        owner.remove(self)
        server.openConnections.subtract(1, ordering: .relaxed)
        input.clear()
        output = []
    }

    /// Over the connection cap: a best-effort 503 and an immediate close, without registering.
    static func refuseOverCapacity(_ fd: Int32) {
        let body = #"{"error":{"code":"unavailable","message":"too many open connections","request_id":""}}"#
        let response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\nRetry-After: 1\r\n\r\n\(body)"
        var bytes = Array(response.utf8)
        bytes.withUnsafeMutableBytes { _ = Socket.write(fd, UnsafeRawBufferPointer($0)) }
        Glibc.close(fd)
    }
}
