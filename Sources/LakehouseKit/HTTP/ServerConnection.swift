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
        parser = HTTPRequestParser(limits: .init(maxBodyBytes: server.configuration.maxBodyBytes))
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
            switch Socket.read(fd, into: owner.readBuffer) {
            case .bytes(let count):
                lastActivity = MonotonicClock.nanoseconds()
                if requestStarted == nil { requestStarted = lastActivity }
                input.append(UnsafeRawBufferPointer(rebasing: owner.readBuffer[0..<count]))
                if !inFlight { processInput() }
                if closed { return }
                if count < owner.readBuffer.count && !untilEOF { return }
            case .wouldBlock:
                return
            case .closed:
                peerClosedInput = true
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
        while !inFlight && !closed && !closeAfterWrite {
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

    /// Queues a response (called on the loop thread), then goes on with pipelined input.
    private func respond(_ response: HTTPResponse, keepAlive: Bool, isHead: Bool, version: HTTPVersion) {
        guard !closed else { return }
        let keepOpen = keepAlive && !owner.draining && !peerClosedInput
        queue(serialize(response, keepAlive: keepOpen, isHead: isHead, version: version))
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

    private func serialize(_ response: HTTPResponse, keepAlive: Bool, isHead: Bool, version: HTTPVersion) -> [UInt8] {
        let sendsBody = !isHead && !response.status.forbidsBody
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + response.headers.count * 48 + (sendsBody ? response.body.count : 0))
        func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
        append("HTTP/1.1 ")
        append(String(response.status.code))
        bytes.append(UInt8(ascii: " "))
        append(response.status.reason)
        append("\r\n")
        for (name, value) in response.headers where !name.equalsIgnoringASCIICase("Content-Length") && !name.equalsIgnoringASCIICase("Connection") {
            append(name)
            append(": ")
            append(value)
            append("\r\n")
        }
        if !response.status.forbidsBody {
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
