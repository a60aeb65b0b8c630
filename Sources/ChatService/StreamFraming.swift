import LakehouseKit

/// Splits a byte stream into lines (LF, with an optional CR before it): NDJSON (Ollama) and
/// server-sent events (OpenAI) are both line protocols. A line longer than `maxLineBytes` is an
/// error, so a provider that never sends a newline cannot grow memory without bound.
struct LineSplitter: Sendable {
    static let maxLineBytes = 4 << 20
    private var partial: [UInt8] = []

    /// The complete lines in `bytes` (with what was left over from before), without terminators.
    mutating func feed(_ bytes: [UInt8]) throws(ProviderFailure) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            var line = partial
            line.append(contentsOf: bytes[start..<index])
            partial = []
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            lines.append(line)
            start = index + 1
        }
        partial.append(contentsOf: bytes[start...])
        if partial.count > LineSplitter.maxLineBytes { throw .invalidAnswer("a streamed line exceeds \(LineSplitter.maxLineBytes) bytes") }
        return lines
    }

    /// What is left when the stream ends (a last line without a newline).
    mutating func finish() -> [UInt8]? {
        defer { partial = [] }
        if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
        return partial.isEmpty ? nil : partial
    }
}

/// Turns lines of a provider's stream into chat events; each wire protocol has one.
protocol StreamLineDecoder: Sendable {
    /// Events carried by one line (often one delta; nothing for comments and keep-alives).
    mutating func decode(line: [UInt8]) throws(ProviderFailure) -> [ChatStreamEvent]
    /// The body ended: the closing `.done`, or a failure when the stream was cut short.
    mutating func end() throws(ProviderFailure) -> [ChatStreamEvent]
}

/// A provider's streamed answer: bytes from the transport, lines, events. One consumer at a time
/// (the request's task) calls `next`, so its state needs no lock.
final class ProviderEventStream<Decoder: StreamLineDecoder>: ChatEventStream, @unchecked Sendable {
    private let source: any ByteSource
    private var decoder: Decoder
    private var splitter = LineSplitter()
    private var ready: [ChatStreamEvent] = []
    private var readyHead = 0
    private var ended = false
    private let redact: @Sendable (ProviderFailure) -> ProviderFailure

    init(source: any ByteSource, decoder: Decoder, redact: @escaping @Sendable (ProviderFailure) -> ProviderFailure) {
        self.source = source
        self.decoder = decoder
        self.redact = redact
    }

    func next() async throws(ProviderFailure) -> ChatStreamEvent? {
        do {
            while true {
                if readyHead < ready.count {
                    defer { readyHead += 1 }
                    return ready[readyHead]
                }
                ready.removeAll(keepingCapacity: true)
                readyHead = 0
                if ended { return nil }
                guard let bytes = try await source.next() else {
                    ended = true
                    if let last = splitter.finish() { ready += try decoder.decode(line: last) }
                    ready += try decoder.end()
                    continue
                }
                for line in try splitter.feed(bytes) { ready += try decoder.decode(line: line) }
                if ready.contains(where: { if case .done = $0 { true } else { false } }) {
                    // A complete answer. The rest of the body (`[DONE]`, the last chunk) is read in the
                    // background, so the pooled connection can be reused without delaying the caller.
                    ended = true
                    let source = self.source
                    Task { while (try? await source.next()) != nil {} }
                }
            }
        } catch {
            ended = true
            source.cancel()
            throw redact(error)
        }
    }

    func cancel() { source.cancel() }
}
