import Foundation

/// `EMBEDD_PROVIDER=openai`: calls `POST {EMBEDD_BASE_URL}/v1/embeddings` with `EMBEDD_API_KEY`,
/// one call per batch. Works with any server that speaks the same protocol.
public struct OpenAIEmbedProvider: EmbeddingProvider {
    public static let defaultModelName = "text-embedding-3-small"
    public static let defaultBaseURL = "https://api.openai.com"
    /// OpenAI's embedding models; a configured default outside this list is accepted as well.
    public static let publishedModels = ["text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002"]

    public let baseURL: String
    public let defaultModel: String
    public let timeout: Duration
    /// Sent as `dimensions` when set (`EMBEDD_DIMS`): text-embedding-3 models can shorten their vectors.
    public let dimensions: Int?
    private let apiKey: String
    private let transport: any EmbedTransport

    public init(
        baseURL: String = OpenAIEmbedProvider.defaultBaseURL,
        defaultModel: String = OpenAIEmbedProvider.defaultModelName,
        apiKey: String,
        dimensions: Int? = nil,
        timeout: Duration,
        transport: any EmbedTransport
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.defaultModel = defaultModel
        self.apiKey = apiKey
        self.dimensions = dimensions
        self.timeout = timeout
        self.transport = transport
    }

    public var name: String { "openai" }

    public var knownModels: [String] {
        Self.publishedModels.contains(defaultModel) ? Self.publishedModels : [defaultModel] + Self.publishedModels
    }

    public func supports(model: String) -> Bool { model == defaultModel || Self.publishedModels.contains(model) }

    public func embed(_ texts: [String], model: String) async throws(EmbedError) -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let body: [UInt8]
        do {
            let request = OpenAIEmbeddingsRequest(model: model, input: texts, dimensions: dimensions)
            body = Array(try JSONEncoder().encode(request))
        } catch {
            throw .providerFailed(provider: name, message: "could not encode the request: \(error)")
        }
        let headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer \(apiKey)"),
        ]

        let reply: EmbedTransportReply
        do {
            reply = try await transport.post(url: baseURL + "/v1/embeddings", headers: headers, body: body, timeout: timeout)
        } catch {
            throw ProviderReply.error(error, provider: name)
        }
        guard (200..<300).contains(reply.status) else {
            let message = try? JSONDecoder().decode(OpenAIErrorReply.self, from: Data(reply.body)).error.message
            throw ProviderReply.statusError(reply, provider: name, message: message)
        }
        guard let decoded = try? JSONDecoder().decode(OpenAIEmbeddingsResponse.self, from: Data(reply.body)) else {
            throw .providerFailed(provider: name, message: "unparseable reply: \(ProviderReply.excerpt(reply.body))")
        }
        // Items carry their input's index; the array order is not promised. Each index must appear once.
        var ordered = [[Float]?](repeating: nil, count: texts.count)
        for item in decoded.data {
            guard ordered.indices.contains(item.index), ordered[item.index] == nil else {
                throw .providerFailed(
                    provider: name, message: "reply has a missing, repeated or out-of-range index \(item.index)")
            }
            ordered[item.index] = item.embedding.map(Float.init)
        }
        let vectors = ordered.compactMap { $0 }
        try EmbeddingCheck.validate(vectors, expectedCount: texts.count, provider: name)
        return vectors
    }
}
