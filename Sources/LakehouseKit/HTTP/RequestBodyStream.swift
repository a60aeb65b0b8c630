import Synchronization

/// A request body delivered in pieces as it arrives, for routes that ingest more than fits
/// comfortably in memory (vectord's bulk upsert); also a streamed response body on the client side
/// (`HTTPClientRequest.streamResponse`). The connection produces on its event loop; the
/// handler consumes with `for try await chunk in body`. Back-pressure: above `highWater` buffered
/// bytes the connection stops reading the socket, and resumes once the handler has drained the
/// buffer below `lowWater`, so memory stays bounded whatever the body size.
public final class RequestBodyStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    static let highWater = 1 << 20
    static let lowWater = 256 << 10

    private struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var buffered = 0
        var finished = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        /// The producer was told to pause and is waiting for `resume`.
        var producerPaused = false
        /// The consumer stopped (its iterator went away or the handler answered early).
        var abandoned = false
        var total = 0
    }

    private let state = Mutex(State())
    /// Called (from the consumer's thread) when a paused producer may read again.
    private let resume: @Sendable () -> Void

    init(resume: @escaping @Sendable () -> Void) {
        self.resume = resume
    }

    /// A stream over bytes already in memory (tests, in-process callers).
    public convenience init(bytes: [UInt8], chunkSize: Int = 64 << 10) {
        self.init(resume: {})
        var offset = 0
        while offset < bytes.count {
            _ = yield(Array(bytes[offset..<Swift.min(offset + chunkSize, bytes.count)]))
            offset += chunkSize
        }
        finish()
    }

    // MARK: Producer (the connection's loop)

    /// Adds a chunk; returns true when the producer should pause reading until `resume` is called.
    func yield(_ chunk: [UInt8]) -> Bool {
        guard !chunk.isEmpty else { return false }
        let waiter: CheckedContinuation<[UInt8]?, any Error>?
        let pause: Bool
        (waiter, pause) = state.withLock { state in
            if state.abandoned || state.finished { return (nil, false) }
            state.total += chunk.count
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, false)
            }
            state.chunks.append(chunk)
            state.buffered += chunk.count
            if state.buffered >= RequestBodyStream.highWater {
                state.producerPaused = true
                return (nil, true)
            }
            return (nil, false)
        }
        waiter?.resume(returning: chunk)
        return pause
    }

    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    func fail(_ error: any Error) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            guard !state.finished else { return nil }
            state.finished = true
            state.failure = error
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }

    /// The consumer is gone: drop what is buffered and never pause the producer again.
    func abandon() {
        let wasPaused = state.withLock { state -> Bool in
            state.abandoned = true
            state.chunks = []
            state.buffered = 0
            defer { state.producerPaused = false }
            return state.producerPaused
        }
        if wasPaused { resume() }
    }

    var isPaused: Bool { state.withLock { $0.producerPaused } }

    var isAbandoned: Bool { state.withLock { $0.abandoned } }

    /// The consumer stops early: what is buffered is dropped and the producer (a client connection
    /// relaying a streamed response) closes its connection instead of reading on.
    public func cancel() { abandon() }

    /// Bytes received so far.
    public var receivedBytes: Int { state.withLock { $0.total } }

    // MARK: Consumer

    func next() async throws -> [UInt8]? {
        enum Ready {
            case chunk([UInt8], resumeProducer: Bool)
            case end
            case failed(any Error)
        }
        return try await withCheckedThrowingContinuation { continuation in
            // Under the lock: take a chunk, or report the end, or park until the producer yields.
            let ready = state.withLock { state -> Ready? in
                if state.head < state.chunks.count {
                    let chunk = state.chunks[state.head]
                    state.head += 1
                    state.buffered -= chunk.count
                    if state.head == state.chunks.count {
                        state.chunks.removeAll(keepingCapacity: true)
                        state.head = 0
                    }
                    let resumeProducer = state.producerPaused && state.buffered < RequestBodyStream.lowWater
                    if resumeProducer { state.producerPaused = false }
                    return .chunk(chunk, resumeProducer: resumeProducer)
                }
                if let failure = state.failure { return .failed(failure) }
                if state.finished { return .end }
                state.waiter = continuation
                return nil
            }
            switch ready {
            case .chunk(let chunk, let resumeProducer):
                if resumeProducer { resume() }
                continuation.resume(returning: chunk)
            case .end:
                continuation.resume(returning: nil)
            case .failed(let error):
                continuation.resume(throwing: error)
            case nil:
                break
            }
        }
    }

    /// Collects the whole body, failing with 413 beyond `limit` bytes.
    public func collect(limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in self {
            bytes.append(contentsOf: chunk)
            if bytes.count > limit { throw APIError.payloadTooLarge("request body exceeds \(limit) bytes") }
        }
        return bytes
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: RequestBodyStream

        public mutating func next() async throws -> [UInt8]? {
            try await stream.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}
