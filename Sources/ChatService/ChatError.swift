import LakehouseKit

/// What can go wrong answering a chat request. `ChatRoutes.apiError` is the one place these become
/// HTTP statuses. No case ever carries a provider key: messages from providers pass through
/// `ProviderFailure.redacting` first.
enum ChatError: Error, Sendable, Equatable {
    case badRequest(String)
    /// A provider name chatd does not know.
    case unknownProvider(String, known: [String])
    /// A known provider that cannot be used as configured (no key).
    case providerNotConfigured(String, variable: String)
    /// Every provider tried failed (or was cooling down); one line per provider.
    case allProvidersFailed([String], retryAfterSeconds: Int?)
    /// A provider refused the request itself (a 4xx other than 429): falling over would not help.
    case providerRejected(provider: String, status: Int, message: String)

    var message: String {
        switch self {
        case .badRequest(let message): message
        case .unknownProvider(let name, let known): "unknown provider '\(name)'; known: \(known.joined(separator: ", "))"
        case .providerNotConfigured(let name, let variable): "provider '\(name)' is not configured: set \(variable)"
        case .allProvidersFailed(let attempts, _): "no provider could answer: \(attempts.joined(separator: "; "))"
        case .providerRejected(let provider, let status, let message): "\(provider) refused the request (HTTP \(status)): \(message)"
        }
    }
}

extension ChatError: JSONReaderFailure {
    static func syntax(_ message: String) -> ChatError { .badRequest("request body is not valid JSON: \(message)") }
}
