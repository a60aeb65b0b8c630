import Foundation

/// `EMBEDD_PROVIDER=ollama`: calls Ollama's `POST /api/embed` directly (no sidecar), one call per batch.
public struct OllamaEmbedProvider: EmbeddingProvider {
    public static let defaultModelName = "nomic-embed-text"
    public static let defaultBaseURL = "http://127.0.0.1:11434"

    public let baseURL: String
    public let defaultModel: String
    public let timeout: Duration
    /// Sent as a bearer token when set: Ollama itself has no auth, but proxies in front of it may.
    private let apiKey: String?
    private let transport: any EmbedTransport

    public init(
        baseURL: String = OllamaEmbedProvider.defaultBaseURL,
        defaultModel: String = OllamaEmbedProvider.defaultModelName,
        apiKey: String? = nil,
        timeout: Duration,
        transport: any EmbedTransport
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.defaultModel = defaultModel
        self.apiKey = apiKey
        self.timeout = timeout
        self.transport = transport
    }

    public var name: String { "ollama" }
    public var knownModels: [String] { [defaultModel] }

    /// Ollama serves whatever has been pulled, so any well-formed name (`name[:tag]`, optionally
    /// namespaced, e.g. `hf.co/org/model:Q4_K_M`) is accepted here; Ollama's 404 for a model it does
    /// not have comes back as a provider error naming the model.
    public func supports(model: String) -> Bool {
        !model.isEmpty && model.utf8.count <= 256
            && model.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"),
                    UInt8(ascii: "/"), UInt8(ascii: ":"):
                    true
                default:
                    false
                }
            }
    }

    public func embed(_ texts: [String], model: String) async throws(EmbedError) -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(OllamaEmbedRequest(model: model, input: texts)))
        } catch {
            throw .providerFailed(provider: name, message: "could not encode the request: \(error)")
        }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }

        let reply: EmbedTransportReply
        do {
            reply = try await transport.post(url: baseURL + "/api/embed", headers: headers, body: body, timeout: timeout)
        } catch {
            throw ProviderReply.error(error, provider: name)
        }
        guard (200..<300).contains(reply.status) else {
            let message = try? JSONDecoder().decode(OllamaErrorReply.self, from: Data(reply.body)).error
            throw ProviderReply.statusError(reply, provider: name, message: message)
        }
        guard let decoded = try? JSONDecoder().decode(OllamaEmbedResponse.self, from: Data(reply.body)) else {
            throw .providerFailed(provider: name, message: "unparseable reply: \(ProviderReply.excerpt(reply.body))")
        }
        let vectors = decoded.embeddings.map { $0.map(Float.init) }
        try EmbeddingCheck.validate(vectors, expectedCount: texts.count, provider: name)
        return vectors
    }
}
