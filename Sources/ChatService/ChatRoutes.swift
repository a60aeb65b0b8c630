import LakehouseKit

/// Handlers: decode and validate → the fallback chain → encode, plain or streamed. `apiError` is
/// the one place chat errors become HTTP statuses.
struct ChatRoutes: Sendable {
    let chain: FallbackChain
    let config: ChatConfig
    let limits: ChatCall.Limits
    let streamErrors: Counter
    let logger: Logger

    init(chain: FallbackChain, config: ChatConfig, streamErrors: Counter, logger: Logger) {
        self.chain = chain
        self.config = config
        limits = ChatCall.Limits(maxMessages: config.maxMessages, maxTokens: config.maxTokensLimit)
        self.streamErrors = streamErrors
        self.logger = logger
    }

    typealias Respond = @Sendable (Result<HTTPResponse, any Error>) -> Void

    /// `POST /v1/chat` (SPEC §6).
    func chat(_ request: HTTPRequest, loop: EventLoop, respond: @escaping Respond) {
        answer(request, openAI: false, loop: loop, respond: respond)
    }

    /// `POST /v1/chat/completions` (OpenAI's shape).
    func completions(_ request: HTTPRequest, loop: EventLoop, respond: @escaping Respond) {
        answer(request, openAI: true, loop: loop, respond: respond)
    }

    /// On the event loop: decode and validate here; a plain call goes to the chain's loop fast path,
    /// a stream to a task.
    private func answer(_ request: HTTPRequest, openAI: Bool, loop: EventLoop, respond: @escaping Respond) {
        let started = MonotonicClock.nanoseconds()
        let call: ChatCall
        let order: [String]
        do throws(ChatError) {
            var decoded = openAI ? try ChatCall.decodeOpenAI(request.body, limits: limits) : try ChatCall.decodeNative(request.body, limits: limits)
            // `"model": "local"` (or any provider's name) picks that provider, for clients that can only set a model.
            if decoded.provider == nil, let model = decoded.model, ChatConfig.knownNames.contains(model) {
                decoded.provider = model
                decoded.model = nil
            }
            call = decoded
            order = try chain.order(for: call) { name in config.remotes[name].flatMap { $0.isUsable ? nil : $0.keyVariable } }
        } catch {
            return respond(.failure(ChatRoutes.apiError(error)))
        }
        let requestID = request.requestID
        if call.stream {
            let routes = self
            loop.runTask({ () async throws -> HTTPResponse in
                do throws(ChatError) {
                    return try await routes.stream(call, order: order, openAI: openAI, requestID: requestID, started: started)
                } catch {
                    throw ChatRoutes.apiError(error)
                }
            }, then: respond)
            return
        }
        chain.completeOnLoop(call, order: order, requestID: requestID, loop: loop) { result in
            switch result {
            case .failure(let error):
                respond(.failure(ChatRoutes.apiError(error)))
            case .success(let answer):
                respond(.success(ChatRoutes.encode(answer, call: call, openAI: openAI, requestID: requestID, started: started)))
            }
        }
    }

    private static func encode(_ answer: FallbackChain.Answer, call: ChatCall, openAI: Bool, requestID: String, started: UInt64) -> HTTPResponse {
        let usage = answer.completion.usage ?? ChatUsage(promptTokens: TokenEstimate.prompt(call.messages), completionTokens: TokenEstimate.tokens(answer.completion.content))
        var response: HTTPResponse
        if openAI {
            let wire = ChatAnswerWire(requestID: requestID, provider: answer.provider, model: answer.model)
            response = .json(bytes: wire.completion(content: answer.completion.content, finishReason: answer.completion.finishReason, usage: usage))
        } else {
            // `ChatResponse`'s shape, written directly (this is the hot path).
            response = .json(bytes: WireJSON.encode([
                "provider": .string(answer.provider), "model": .string(answer.model),
                "message": ["role": "assistant", "content": .string(answer.completion.content)],
                "usage": ["prompt_tokens": .number(Double(usage.promptTokens)), "completion_tokens": .number(Double(usage.completionTokens))],
                "latency_ms": .number(ChatRoutes.milliseconds(since: started)),
            ]))
        }
        response.headers.set("X-Lakehouse-Provider", answer.provider)
        return response
    }

    /// Opens the stream (falling over until one provider has sent its first event), answers with
    /// the head, and writes the rest as it comes. A failure after that first event ends the stream
    /// with an error event, never a silent truncation.
    private func stream(_ call: ChatCall, order: [String], openAI: Bool, requestID: String, started: UInt64) async throws(ChatError) -> HTTPResponse {
        let opened = try await chain.openStream(call, order: order, requestID: requestID)
        let wire = ChatAnswerWire(requestID: requestID, provider: opened.provider, model: opened.model)
        let body = ResponseBodyStream()
        var response = HTTPResponse.streaming(body, contentType: "text/event-stream")
        response.headers.set("Cache-Control", "no-cache")
        response.headers.set("X-Lakehouse-Provider", opened.provider)
        let health = chain.health[opened.provider]
        let streamErrors = self.streamErrors
        let logger = self.logger
        Task {
            var completionBytes = 0
            var event: ChatStreamEvent? = opened.first
            do {
                if openAI { try await body.write(wire.chunk(content: "", role: true)) }
                while let current = event {
                    switch current {
                    case .delta(let text):
                        completionBytes += text.utf8.count
                        try await body.write(openAI ? wire.chunk(content: text) : wire.nativeDelta(text))
                    case .done(let reported, let finishReason):
                        let usage = reported ?? ChatUsage(promptTokens: TokenEstimate.prompt(call.messages), completionTokens: (completionBytes + 3) / 4)
                        health?.recordTokens(usage)
                        if openAI {
                            try await body.write(wire.chunk(content: nil, finishReason: finishReason))
                            if call.includeUsage { try await body.write(wire.usageChunk(usage)) }
                        } else {
                            try await body.write(wire.nativeDone(usage: usage, finishReason: finishReason, latencyMs: ChatRoutes.milliseconds(since: started)))
                        }
                        try await body.write(ChatAnswerWire.done)
                        body.finish()
                        // Not cancelled: the provider's body is read to its end in the background, so
                        // its pooled connection can carry the next call.
                        return
                    }
                    do throws(ProviderFailure) {
                        event = try await opened.rest.next()
                    } catch {
                        health?.recordFailure(error)
                        streamErrors.increment()
                        health?.recordTokens(ChatUsage(promptTokens: TokenEstimate.prompt(call.messages), completionTokens: (completionBytes + 3) / 4))
                        logger.warn("stream broke off", requestID: requestID, [("provider", opened.provider), ("error", error.description)])
                        try await body.write(wire.errorEvent("\(opened.provider) \(error.description)"))
                        body.finish()
                        return
                    }
                }
                // The provider's stream ended without its closing event.
                streamErrors.increment()
                try await body.write(wire.errorEvent("\(opened.provider) ended the stream early"))
                body.finish()
            } catch {
                // The caller went away: stop reading from the provider.
                opened.rest.cancel()
                body.abort()
            }
        }
        return response
    }

    struct ProviderView: Encodable {
        let name: String
        let `protocol`: String
        let base_url: String?
        let configured: Bool
        let in_fallback: Bool
        let has_key: Bool
        let key_variable: String?
        let default_model: String
        let timeout_ms: Int?
        let cooling_down: Bool
        let cooldown_remaining_s: Double?
        let requests: Int
        let successes: Int
        let failures: Int
        let fallbacks: Int
        let prompt_tokens: Int
        let completion_tokens: Int
        let recent_errors: [ProviderHealth.RecentError]
    }

    struct ProvidersView: Encodable {
        let fallback: [String]
        let providers: [ProviderView]
    }

    /// `GET /v1/providers`: every provider chatd knows, whether it can be used, its key's presence
    /// (never the key), default model, recent errors and cooldown.
    func providers(_ request: HTTPRequest) throws -> HTTPResponse {
        let views = ChatConfig.knownNames.map { name -> ProviderView in
            let remote = config.remotes[name]
            let snapshot = chain.health[name]?.snapshot ?? ProviderHealth.Snapshot()
            return ProviderView(
                name: name, protocol: remote.map { $0.wire.rawValue } ?? "builtin", base_url: remote?.baseURL,
                configured: remote?.isUsable ?? true, in_fallback: config.fallback.contains(name), has_key: remote?.apiKey != nil,
                key_variable: remote?.keyVariable, default_model: remote?.model ?? LocalDrafter.model, timeout_ms: remote?.timeoutMs,
                cooling_down: snapshot.coolingDownForSeconds != nil, cooldown_remaining_s: snapshot.coolingDownForSeconds.map { ($0 * 10).rounded() / 10 },
                requests: snapshot.requests, successes: snapshot.successes, failures: snapshot.failures, fallbacks: snapshot.fallbacks,
                prompt_tokens: snapshot.promptTokens, completion_tokens: snapshot.completionTokens, recent_errors: snapshot.recentErrors)
        }
        return .json(ProvidersView(fallback: config.fallback, providers: views))
    }

    static func milliseconds(since started: UInt64) -> Double {
        (Double(MonotonicClock.nanoseconds() &- started) / 1e4).rounded() / 100
    }

    /// The one place chat errors become the error envelope.
    static func apiError(_ error: ChatError) -> APIError {
        switch error {
        case .badRequest(let message): return .badRequest(message)
        case .unknownProvider: return .notFound(error.message)
        case .providerNotConfigured: return .badRequest(error.message)
        case .providerRejected: return .badGateway(error.message)
        case .allProvidersFailed(_, let retryAfter):
            var failure = APIError.unavailable(error.message)
            if let retryAfter { failure.headers = [("Retry-After", String(max(retryAfter, 1)))] }
            return failure
        }
    }
}
