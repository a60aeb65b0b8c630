import CEpoll
import Glibc

/// One pooled connection to a peer: connect, write a request, parse its response, go idle.
/// Confined to its pool's event loop thread.
final class ClientConnection: EventLoopHandler, @unchecked Sendable {
    private enum State {
        case connecting(PendingRequest, deadline: UInt64)
        case busy(PendingRequest)
        /// The head of a streamed response was delivered; its body goes into `stream` as it comes.
        /// `deadline` moves on with every piece (the request timeout bounds each wait, not the whole).
        case streaming(RequestBodyStream, timeoutMs: Int, deadline: UInt64)
        case idle
        case closed
    }

    let fd: Int32
    let pool: PeerPool
    private var state: State
    private var parser: HTTPResponseParser
    private var input = ByteBuffer()
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var requestIsHead = false
    private(set) var lastUsed = MonotonicClock.nanoseconds()

    init(fd: Int32, pool: PeerPool, pending: PendingRequest) {
        self.fd = fd
        self.pool = pool
        parser = HTTPResponseParser(maxBodyBytes: pool.configuration.maxResponseBytes)
        state = .connecting(pending, deadline: MonotonicClock.nanoseconds() + UInt64(pool.configuration.connectTimeoutMs) * 1_000_000)
    }

    var isUsable: Bool {
        if case .idle = state { return true }
        return false
    }

    private var peerName: String { pool.peer.description }

    func send(_ pending: PendingRequest) {
        state = .busy(pending)
        input.clear()
        parser = HTTPResponseParser(maxBodyBytes: pool.configuration.maxResponseBytes, streaming: pending.request.streamResponse)
        let request = pending.request
        requestIsHead = request.method == .HEAD
        var head = "\(request.method) \(request.target) HTTP/1.1\r\nHost: \(peerName)\r\n"
        for (name, value) in request.headers where !name.equalsIgnoringASCIICase("Content-Length") && !name.equalsIgnoringASCIICase("Host") {
            head += "\(name): \(value)\r\n"
        }
        if !request.body.isEmpty || request.method == .POST || request.method == .PUT || request.method == .PATCH {
            head += "Content-Length: \(request.body.count)\r\n"
        }
        head += "\r\n"
        output = Array(head.utf8)
        output.append(contentsOf: request.body)
        outputOffset = 0
        flush()
    }

    func handleEvents(_ events: UInt32) {
        switch state {
        case .closed:
            return
        case .connecting(let pending, _):
            guard events & (EPOLLOUT.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 else { return }
            let error = Socket.pendingError(fd)
            if error != 0 {
                close()
                pending.complete(.failure(.peerUnavailable(peer: peerName, reason: String(cString: strerror(error)))))
                return
            }
            send(pending)
        case .idle:
            // An idle connection has nothing to hear: data or hang-up means the peer is done with it.
            if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { close() }
        case .busy:
            if events & EPOLLOUT.rawValue != 0 && outputOffset < output.count { flush() }
            if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { readAvailable() }
        case .streaming(let stream, _, _):
            if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 && !stream.isPaused { readAvailable() }
        }
    }

    private func flush() {
        while outputOffset < output.count {
            let result = output.withUnsafeBytes { Socket.write(fd, UnsafeRawBufferPointer(rebasing: $0[outputOffset...])) }
            switch result {
            case .bytes(let count): outputOffset += count
            case .wouldBlock: return
            case .closed, .failed:
                // The peer may already have answered (e.g. 413) before closing; read what it sent.
                readAvailable()
                if case .busy = state { failConnection(.connectionClosed(peer: peerName)) }
                return
            }
        }
    }

    private var isReceiving: Bool {
        switch state {
        case .busy: true
        case .streaming(let stream, _, _): !stream.isPaused
        default: false
        }
    }

    private func readAvailable() {
        let scratch = pool.loop.readBuffer
        while isReceiving {
            if case .streaming = state, !input.isEmpty {
                // Bytes left over from before a pause: hand them on before reading more.
                parseStreamedBody()
                continue
            }
            switch Socket.read(fd, into: scratch) {
            case .bytes(let count):
                input.append(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
                if case .streaming = state { parseStreamedBody() } else { parseResponse() }
            case .wouldBlock:
                return
            case .closed:
                if case .streaming(let stream, _, _) = state {
                    if case .bodyEnd = parser.finishAtEOF(&input) {
                        stream.finish()
                    } else {
                        stream.fail(HTTPClientError.connectionClosed(peer: peerName))
                    }
                    close()
                    return
                }
                if case .busy(let pending) = state {
                    switch parser.finishAtEOF(&input) {
                    case .response(let response, _):
                        close()
                        pending.complete(.success(response))
                    default:
                        failConnection(.connectionClosed(peer: peerName))
                    }
                }
                return
            case .failed(let code):
                if case .streaming(let stream, _, _) = state {
                    stream.fail(HTTPClientError.connectionClosed(peer: peerName))
                    close()
                    return
                }
                failConnection(.peerUnavailable(peer: peerName, reason: String(cString: strerror(code))))
                return
            }
        }
    }

    private func parseResponse() {
        guard case .busy(let pending) = state else { return }
        switch parser.next(&input, requestWasHead: requestIsHead) {
        case .needMore:
            return
        case .failure(let reason):
            close()
            pending.complete(.failure(.invalidResponse(peer: peerName, reason: reason)))
        case .streamHead(let status, let headers):
            // The stream holds the connection only until its body ends or the connection closes.
            let stream = RequestBodyStream { [self] in
                pool.loop.execute { self.resumeStreamedBody() }
            }
            state = .streaming(stream, timeoutMs: pending.timeoutMs, deadline: MonotonicClock.nanoseconds() + UInt64(max(pending.timeoutMs, 1)) * 1_000_000)
            var response = HTTPClientResponse(status: status, headers: headers, body: [])
            response.bodyStream = stream
            pending.complete(.success(response))
            parseStreamedBody()
        case .bodyData, .bodyEnd:
            close()
            pending.complete(.failure(.invalidResponse(peer: peerName, reason: "body before head")))
        case .response(let response, let keepAlive):
            lastUsed = MonotonicClock.nanoseconds()
            // Reuse only a clean connection: whole request written, nothing extra received.
            if keepAlive && outputOffset >= output.count && input.isEmpty {
                state = .idle
                output = []
                outputOffset = 0
                pending.complete(.success(response))
                pool.connectionIsIdle(self)
            } else {
                close()
                pending.complete(.success(response))
            }
        }
    }

    /// Moves what has arrived of a streamed body into its stream, until the stream asks to pause,
    /// the input runs out, or the body ends (then the connection is reused or closed).
    private func parseStreamedBody() {
        while case .streaming(let stream, let timeoutMs, _) = state {
            if stream.isAbandoned {
                close()  // the consumer stopped listening: the rest of this body is not wanted
                return
            }
            if stream.isPaused { return }
            switch parser.next(&input, requestWasHead: false) {
            case .needMore:
                return
            case .bodyData(let bytes):
                lastUsed = MonotonicClock.nanoseconds()
                state = .streaming(stream, timeoutMs: timeoutMs, deadline: lastUsed + UInt64(max(timeoutMs, 1)) * 1_000_000)
                _ = stream.yield(bytes)
            case .bodyEnd(let keepAlive):
                lastUsed = MonotonicClock.nanoseconds()
                stream.finish()
                if keepAlive && input.isEmpty {
                    state = .idle
                    output = []
                    outputOffset = 0
                    pool.connectionIsIdle(self)
                } else {
                    close()
                }
                return
            case .failure(let reason):
                stream.fail(HTTPClientError.invalidResponse(peer: peerName, reason: reason))
                close()
                return
            case .response, .streamHead:
                stream.fail(HTTPClientError.invalidResponse(peer: peerName, reason: "unexpected response inside a streamed body"))
                close()
                return
            }
        }
    }

    /// The consumer drained (or abandoned) a paused stream: go on reading.
    private func resumeStreamedBody() {
        guard case .streaming(let stream, _, _) = state else { return }
        if stream.isAbandoned {
            close()
            return
        }
        readAvailable()
    }

    private func failConnection(_ error: HTTPClientError) {
        guard case .busy(let pending) = state else { return }
        let nothingReceived = parser.isIdle && input.isEmpty
        close()
        pool.failed(pending, with: error, nothingReceived: nothingReceived)
    }

    func checkTimeouts(now: UInt64) {
        switch state {
        case .connecting(let pending, let deadline):
            if now > deadline || now > pending.deadline {
                close()
                pending.complete(.failure(.connectTimeout(peer: peerName)))
            }
        case .busy(let pending):
            if now > pending.deadline {
                close()
                pending.complete(.failure(.timeout(peer: peerName, milliseconds: pending.timeoutMs)))
            }
        case .streaming(let stream, let timeoutMs, let deadline):
            if stream.isAbandoned {
                close()
            } else if now > deadline && !stream.isPaused {
                stream.fail(HTTPClientError.timeout(peer: peerName, milliseconds: timeoutMs))
                close()
            }
        case .idle, .closed:
            return
        }
    }

    func close() {
        if case .closed = state { return }
        if case .streaming(let stream, _, _) = state {
            stream.fail(HTTPClientError.connectionClosed(peer: peerName))  // no-op once finished
        }
        state = .closed
        pool.loop.deregister(fd: fd)
        Glibc.close(fd)
        pool.connectionClosed(self)
    }
}
