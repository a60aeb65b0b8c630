import Dispatch
import Glibc

/// SIGTERM and SIGINT as one awaitable event. The default handlers are replaced, so the process
/// drains instead of dying mid-write; SIGPIPE is ignored (writes report EPIPE instead).
///
/// `@unchecked Sendable`: the dispatch sources are only held to keep them alive; nothing touches
/// them after `init`, and the stream is Sendable.
public final class ShutdownSignal: @unchecked Sendable {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    public init() {
        signal(SIGPIPE, SIG_IGN)
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Returns the first signal received.
    public func wait() async -> Int32 {
        for await number in stream { return number }
        return SIGTERM
    }
}
