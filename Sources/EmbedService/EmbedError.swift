import LakehouseKit

/// Everything that can go wrong while serving an embedding request, classified the way the HTTP
/// layer reports it (SPEC §4: bad input is 4xx, never 500; a failing dependency is 5xx naming it).
///
/// The HTTP layer maps an error to the envelope `{"error":{"code","message","request_id"}}` using
/// `httpStatus`, `code` and `message`; nothing else in the service decides a status.
public enum EmbedError: Error, Sendable, Equatable {
    /// The request is malformed or asks for something the service cannot do (400).
    case badRequest(String)
    /// The request is well formed but larger than the configured limits (413).
    case tooLarge(String)
    /// The provider answered, but not with usable embeddings: non-2xx status, unparseable or
    /// inconsistent reply (502).
    case providerFailed(provider: String, message: String)
    /// The provider could not be reached at all: connection refused, DNS, TLS (503).
    case providerUnavailable(provider: String, message: String)
    /// The provider did not answer within `EMBEDD_TIMEOUT_MS` (504).
    case providerTimeout(provider: String)

    public var httpStatus: Int {
        switch self {
        case .badRequest: 400
        case .tooLarge: 413
        case .providerFailed: 502
        case .providerUnavailable: 503
        case .providerTimeout: 504
        }
    }

    /// Machine-readable code for the error envelope.
    public var code: String {
        switch self {
        case .badRequest: "bad_request"
        case .tooLarge: "payload_too_large"
        case .providerFailed: "provider_failed"
        case .providerUnavailable: "provider_unavailable"
        case .providerTimeout: "provider_timeout"
        }
    }

    /// One line for a human; provider errors always name the provider.
    public var message: String {
        switch self {
        case .badRequest(let message), .tooLarge(let message):
            message
        case .providerFailed(let provider, let message):
            "embedding provider \(provider) failed: \(message)"
        case .providerUnavailable(let provider, let message):
            "embedding provider \(provider) is unreachable: \(message)"
        case .providerTimeout(let provider):
            "embedding provider \(provider) did not answer in time"
        }
    }
}

extension EmbedError: CustomStringConvertible {
    public var description: String { message }
}

extension EmbedError: JSONReaderFailure {
    /// Malformed JSON in a request body is the client's 400.
    public static func syntax(_ message: String) -> EmbedError { .badRequest(message) }
}
