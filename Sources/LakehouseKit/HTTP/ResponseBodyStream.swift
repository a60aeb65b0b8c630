import Synchronization

/// A response body written while the handler runs (server-sent events, relayed streams), instead
/// of assembled first. The handler returns an `HTTPResponse` whose `bodyStream` is one of these;
/// the server sends the head at once (`Transfer-Encoding: chunked`), then each `write` as a chunk
/// as soon as it is written. Back-pressure: `write` suspends while more than `highWater` bytes wait
/// for a slow client, so memory stays bounded however long the stream runs. When the client goes
/// away, `write` throws `ResponseBodyStream.Cancelled` and the producer should stop.
public final class ResponseBodyStream: Sendable {
    public struct Cancelled: Error, Sendable {}

    static let highWater = 256 << 10
    static let lowWater = 64 << 10

    private struct State {
        var pending: [UInt8] = []
        var finished = false
        var aborted = false
        var cancelled = false
        /// The producer waits here while the buffer is above `highWater`.
        var producer: CheckedContinuation<Void, any Error>?
        /// Set by the connection: called (from any thread) when there is something to send.
        var notify: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    // MARK: Producer (any task)

    /// Queues `bytes` for the client; suspends while the client is too far behind.
    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        let (notify, mustWait) = try state.withLock { state throws -> ((@Sendable () -> Void)?, Bool) in
            if state.cancelled { throw Cancelled() }
            state.pending.append(contentsOf: bytes)
            return (state.notify, state.pending.count > ResponseBodyStream.highWater)
        }
        notify?()
        guard mustWait else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let resumeNow = state.withLock { state -> Result<Void, any Error>? in
                if state.cancelled { return .failure(Cancelled()) }
                if state.pending.count <= ResponseBodyStream.lowWater { return .success(()) }
                state.producer = continuation
                return nil
            }
            if let resumeNow { continuation.resume(with: resumeNow) }
        }
    }

    /// The body is complete: the server sends the last chunk and the connection carries on.
    public func finish() {
        let notify = state.withLock { state -> (@Sendable () -> Void)? in
            state.finished = true
            return state.notify
        }
        notify?()
    }

    /// The body cannot be completed: the server closes the connection without the last chunk, so
    /// the client sees a truncated message rather than a clean end (RFC 9112 §7.1).
    public func abort() {
        let notify = state.withLock { state -> (@Sendable () -> Void)? in
            state.aborted = true
            return state.notify
        }
        notify?()
    }

    /// True once the client has gone away (writes would throw).
    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    // MARK: Consumer (the connection's loop)

    func attach(_ notify: @escaping @Sendable () -> Void) {
        let ready = state.withLock { state -> Bool in
            state.notify = notify
            return !state.pending.isEmpty || state.finished || state.aborted
        }
        if ready { notify() }
    }

    enum End {
        /// More may come.
        case open
        /// Complete: send the last chunk.
        case finished
        /// Broken off: send what was written, then close without the last chunk.
        case aborted
    }

    /// Everything written so far, and how the body stands; wakes a waiting producer.
    func take() -> (bytes: [UInt8], end: End) {
        let (bytes, end, producer) = state.withLock { state -> ([UInt8], End, CheckedContinuation<Void, any Error>?) in
            let bytes = state.pending
            state.pending = []
            let producer = state.producer
            state.producer = nil
            return (bytes, state.aborted ? .aborted : (state.finished ? .finished : .open), producer)
        }
        producer?.resume()
        return (bytes, end)
    }

    /// The connection closed: the producer's next (or current) write throws.
    func cancel() {
        let producer = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.cancelled = true
            state.pending = []
            state.notify = nil
            defer { state.producer = nil }
            return state.producer
        }
        producer?.resume(throwing: Cancelled())
    }
}
