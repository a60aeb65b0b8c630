/// Ollama's embedding API as it is on the wire: `POST {base}/api/embed`
/// (docs/api.md, "Generate Embeddings"). One request embeds a list of inputs.
///
///     → {"model":"nomic-embed-text","input":["first text","second text"]}
///     ← {"model":"nomic-embed-text","embeddings":[[0.01,-0.02,…],[…]],"total_duration":…}
///     ← 404 {"error":"model \"x\" not found, try pulling it first"}
public struct OllamaEmbedRequest: Codable, Sendable, Equatable {
    public var model: String
    public var input: [String]
    /// Ollama truncates inputs longer than the model's context unless told not to; we keep its default.
    public var truncate: Bool?

    public init(model: String, input: [String], truncate: Bool? = nil) {
        self.model = model
        self.input = input
        self.truncate = truncate
    }
}

public struct OllamaEmbedResponse: Codable, Sendable, Equatable {
    public var model: String?
    /// One vector per input, in input order. Ollama sends float64 JSON numbers; we keep `Double` on
    /// the wire and narrow to `Float` once, after decoding.
    public var embeddings: [[Double]]

    public init(model: String?, embeddings: [[Double]]) {
        self.model = model
        self.embeddings = embeddings
    }
}

/// Ollama's error body for any non-2xx status.
public struct OllamaErrorReply: Codable, Sendable, Equatable {
    public var error: String

    public init(error: String) { self.error = error }
}
