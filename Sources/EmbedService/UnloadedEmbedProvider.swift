/// Stands in for a provider that could not be built (a minilm model that failed to load, when a
/// caller used `EmbedConfig.makeProvider` rather than `loadProvider`): every call fails naming why.
struct UnloadedEmbedProvider: EmbeddingProvider {
    let name: String
    let model: String
    let reason: String

    var defaultModel: String { model }
    var knownModels: [String] { [model] }
    func supports(model: String) -> Bool { model == self.model }

    func embed(_ texts: [String], model: String) async throws(EmbedError) -> [[Float]] {
        throw .providerUnavailable(provider: name, message: reason)
    }
}
