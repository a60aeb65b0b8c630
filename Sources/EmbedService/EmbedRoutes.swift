import LakehouseKit

/// Handlers: decode → embed (cache, single flight, provider) → assemble the body. The request
/// reader and the response assembly are the domain's own fast paths; no JSONDecoder here.
struct EmbedRoutes: Sendable {
    let embedder: CachingEmbedder

    func embed(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            let decoded = try EmbedRequest.decodeEmbed(request.body, limits: embedder.limits)
            return .json(bytes: EmbedResponseBody.embed(try await embedder.embed(decoded)))
        } catch {
            throw EmbedRoutes.apiError(error)
        }
    }

    func openAIEmbeddings(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            let decoded = try EmbedRequest.decodeOpenAI(request.body, limits: embedder.limits)
            return .json(bytes: EmbedResponseBody.openAI(try await embedder.embed(decoded), for: decoded))
        } catch {
            throw EmbedRoutes.apiError(error)
        }
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
