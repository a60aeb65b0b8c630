/// The embedded default provider (`EMBEDD_PROVIDER=hash`): `HashEmbedder` in process, no network,
/// always available. Its one model is named for its dimensions, `hash-<dims>` (default `hash-384`),
/// so vectors of different sizes never share a cache key or an index by accident.
public struct HashEmbedProvider: EmbeddingProvider {
    public let embedder: HashEmbedder

    public init(dims: Int = HashEmbedder.defaultDims) {
        embedder = HashEmbedder(dims: dims)
    }

    public static func modelName(dims: Int) -> String { "hash-\(dims)" }

    public var name: String { "hash" }
    public var defaultModel: String { Self.modelName(dims: embedder.dims) }
    public var knownModels: [String] { [defaultModel] }

    public func supports(model: String) -> Bool { model == defaultModel }

    public func embed(_ texts: [String], model: String) async throws(EmbedError) -> [[Float]] {
        guard supports(model: model) else {
            throw .badRequest("unknown model \"\(model)\" for embedding provider hash; known: \"\(defaultModel)\"")
        }
        return texts.map(embedder.embed)
    }
}
