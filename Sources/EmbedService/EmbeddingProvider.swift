/// Something that turns texts into vectors: the embedded `hash` provider, or a network one
/// (`ollama`, `openai`). The engine in front of it handles caching, coalescing and batching; a
/// provider only embeds the batch it is given (never more than `EMBEDD_MAX_BATCH` texts).
public protocol EmbeddingProvider: Sendable {
    /// `hash`, `ollama` or `openai`: names the provider in errors, logs and metrics.
    var name: String { get }
    /// The model used when a request names none (`EMBEDD_MODEL`, or the provider's default).
    var defaultModel: String { get }
    /// Models worth listing in an "unknown model" error; a provider that accepts any well-formed
    /// name (Ollama serves whatever has been pulled) lists just its default.
    var knownModels: [String] { get }
    /// Whether a request may name `model`. Unsupported models are a 400, before any provider call.
    func supports(model: String) -> Bool
    /// One vector per text, in order. Errors are already classified (`providerFailed`,
    /// `providerUnavailable`, `providerTimeout`) and name the provider.
    func embed(_ texts: [String], model: String) async throws(EmbedError) -> [[Float]]
}

extension EmbeddingProvider {
    /// The model a request gets: its own if the provider supports it, the default when it names none.
    public func resolveModel(_ requested: String?) throws(EmbedError) -> String {
        guard let requested else { return defaultModel }
        guard supports(model: requested) else {
            let known = knownModels.map { "\"\($0)\"" }.joined(separator: ", ")
            throw .badRequest("unknown model \"\(requested)\" for embedding provider \(name); known: \(known)")
        }
        return requested
    }
}
