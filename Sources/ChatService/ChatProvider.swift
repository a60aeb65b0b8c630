import LakehouseKit

/// A complete answer from one provider.
struct ChatCompletion: Sendable, Equatable {
    var content: String
    /// Nil when the provider did not say; chatd then estimates it (`TokenEstimate`).
    var usage: ChatUsage?
    var finishReason: String
}

/// One piece of a streamed answer.
enum ChatStreamEvent: Sendable, Equatable {
    case delta(String)
    case done(usage: ChatUsage?, finishReason: String)
}

/// A streamed answer being received: `next()` until nil (after `.done`), or `cancel()`.
protocol ChatEventStream: Sendable {
    func next() async throws(ProviderFailure) -> ChatStreamEvent?
    func cancel()
}

/// Why a provider call failed, and whether another provider should be tried.
enum ProviderFailure: Error, Sendable, Equatable {
    /// Could not connect (refused, DNS, TLS).
    case unreachable(String)
    case timedOut(milliseconds: Int)
    /// An HTTP error status, with `Retry-After` in seconds when the provider sent one.
    case status(Int, retryAfterSeconds: Double?, message: String)
    /// An answer we could not read.
    case invalidAnswer(String)
    /// The connection broke off in the middle of an answer.
    case brokeOff(String)

    /// Connect errors, timeouts, 429 and 5xx move on to the next provider (SPEC §6); other 4xx are
    /// the request's fault and would fail everywhere.
    var fallsOver: Bool {
        switch self {
        case .unreachable, .timedOut, .invalidAnswer, .brokeOff: true
        case .status(let code, _, _): code == 429 || code >= 500
        }
    }

    /// Worth retrying on the same provider (not a 429: that one says "not now").
    var isRetryable: Bool {
        switch self {
        case .status(let code, _, _): code >= 500
        case .unreachable, .timedOut, .brokeOff: true
        case .invalidAnswer: false
        }
    }

    /// Metrics label.
    var kind: String {
        switch self {
        case .unreachable: "unreachable"
        case .timedOut: "timeout"
        case .status(let code, _, _): code == 429 ? "rate_limited" : (code >= 500 ? "server_error" : "rejected")
        case .invalidAnswer: "invalid_answer"
        case .brokeOff: "broke_off"
        }
    }

    var description: String {
        switch self {
        case .unreachable(let reason): "unreachable: \(reason)"
        case .timedOut(let ms): "no answer within \(ms) ms"
        case .status(let code, _, let message): "HTTP \(code)\(message.isEmpty ? "" : ": \(message)")"
        case .invalidAnswer(let reason): "invalid answer: \(reason)"
        case .brokeOff(let reason): "broke off: \(reason)"
        }
    }

    /// What the provider said, without the status line `ChatError.providerRejected` already names.
    var providerMessage: String {
        if case .status(_, _, let message) = self, !message.isEmpty { return message }
        return description
    }

    /// The same failure with `secret` blanked out of every message (providers echo keys back in
    /// "invalid key" errors).
    func redacting(_ secret: String?) -> ProviderFailure {
        guard let secret, !secret.isEmpty else { return self }
        func clean(_ text: String) -> String { text.replacingOccurrences(of: secret, with: "[redacted]") }
        switch self {
        case .unreachable(let reason): return .unreachable(clean(reason))
        case .timedOut: return self
        case .status(let code, let retryAfter, let message): return .status(code, retryAfterSeconds: retryAfter, message: clean(message))
        case .invalidAnswer(let reason): return .invalidAnswer(clean(reason))
        case .brokeOff(let reason): return .brokeOff(clean(reason))
        }
    }
}

/// One way of answering chat requests: a remote API, or the built-in drafter.
protocol ChatProvider: Sendable {
    var name: String { get }
    var defaultModel: String { get }
    func complete(_ call: ChatCall, model: String) async throws(ProviderFailure) -> ChatCompletion
    /// Returns once the provider has accepted the request (its response head arrived); a failure
    /// before that is thrown here, a failure after it comes out of the stream.
    func stream(_ call: ChatCall, model: String) async throws(ProviderFailure) -> any ChatEventStream
}

/// chatd's token estimate where a provider reports none (and for the local drafter): one token per
/// four bytes of UTF-8, rounded up. It is an approximation, documented as one in the README.
enum TokenEstimate {
    static func tokens(_ text: String) -> Int { (text.utf8.count + 3) / 4 }
    static func prompt(_ messages: [ChatMessage]) -> Int { messages.reduce(0) { $0 + tokens($1.content) } }
}
