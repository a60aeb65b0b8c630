import LakehouseKit

/// Handlers: decode → embed (cache, single flight, provider) → assemble the body. The request
/// reader and the response assembly are the domain's own fast paths; no JSONDecoder here.
struct EmbedRoutes: Sendable {
    let embedder: CachingEmbedder

    /// `POST /v1/embed`, on the event loop: a request whose texts are all cached is answered right
    /// here (the warm hot path: decode, one cache lock, concatenation); anything else goes to a task.
    func embed(_ request: HTTPRequest, loop: EventLoop, respond: @escaping @Sendable (Result<HTTPResponse, any Error>) -> Void) {
        answer(request.body, loop: loop, respond: respond, decode: EmbedRequest.decodeEmbed) { result, _ in EmbedResponseBody.embed(result) }
    }

    /// `POST /v1/embeddings` (OpenAI's shape), the same way.
    func openAIEmbeddings(_ request: HTTPRequest, loop: EventLoop, respond: @escaping @Sendable (Result<HTTPResponse, any Error>) -> Void) {
        answer(request.body, loop: loop, respond: respond, decode: EmbedRequest.decodeOpenAI) { result, decoded in EmbedResponseBody.openAI(result, for: decoded) }
    }

    private func answer(_ body: [UInt8], loop: EventLoop, respond: @escaping @Sendable (Result<HTTPResponse, any Error>) -> Void,
                        decode: ([UInt8], EmbedLimits) throws(EmbedError) -> EmbedRequest,
                        encode: @escaping @Sendable (EmbedResult, EmbedRequest) -> [UInt8]) {
        let decoded: EmbedRequest
        do {
            decoded = try decode(body, embedder.limits)
            if let cached = try embedder.cachedResult(decoded) {
                respond(.success(.json(bytes: encode(cached, decoded))))
                return
            }
        } catch {
            respond(.failure(EmbedRoutes.apiError(error)))
            return
        }
        let embedder = self.embedder
        loop.runTask({ () async throws -> [UInt8] in
            do throws(EmbedError) {
                return encode(try await embedder.embed(decoded), decoded)
            } catch {
                throw EmbedRoutes.apiError(error)
            }
        }, then: { result in respond(result.map { HTTPResponse.json(bytes: $0) }) })
    }

    struct CacheStatsResponse: Encodable {
        let cache: EmbedCacheStats
        let provider: CachingEmbedderStats
        let provider_name: String
        let model: String
    }

    func cacheStats(_ request: HTTPRequest) throws -> HTTPResponse {
        .json(CacheStatsResponse(cache: embedder.cache.stats, provider: embedder.stats, provider_name: embedder.provider.name,
                                 model: embedder.provider.defaultModel))
    }

    /// The one place embed errors become the error envelope.
    static func apiError(_ error: EmbedError) -> APIError {
        var failure = APIError(status: HTTPStatus(error.httpStatus), code: error.code, message: error.message)
        if error.httpStatus == 503 { failure.headers = [("Retry-After", "1")] }
        return failure
    }
}
