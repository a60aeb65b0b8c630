import LakehouseKit

/// Which providers answer a request, in what order, with retries, cooldowns and fallbacks
/// (SPEC §6). A request that names no provider walks `CHATD_FALLBACK`; one that names a provider
/// starts there and continues down the chain after it. A provider is left for the next on a connect
/// error, a timeout, a 429 or a 5xx (after `CHATD_RETRIES` retries of the retryable ones); a
/// provider in cooldown is skipped. A stream is committed to a provider only once its first event
/// has arrived, so everything before that falls over like a plain call.
struct FallbackChain: Sendable {
    let providers: [String: any ChatProvider]
    let health: [String: ProviderHealth]
    let chain: [String]
    let retries: Int
    let retryBackoffMs: Int
    let latency: [String: Histogram]
    let logger: Logger

    struct Answer: Sendable {
        let provider: String
        let model: String
        let completion: ChatCompletion
    }

    struct OpenedStream: Sendable {
        let provider: String
        let model: String
        let first: ChatStreamEvent
        let rest: any ChatEventStream
    }

    /// The providers to try for `call`, in order; the first one gets the request's `model`.
    func order(for call: ChatCall, notConfigured: (String) -> String?) throws(ChatError) -> [String] {
        guard let requested = call.provider else { return chain }
        guard providers[requested] != nil else {
            if let variable = notConfigured(requested) { throw .providerNotConfigured(requested, variable: variable) }
            throw .unknownProvider(requested, known: ChatConfig.knownNames)
        }
        if let position = chain.firstIndex(of: requested) { return Array(chain[position...]) }
        return [requested] + chain
    }

    /// `firstFailure`: the first provider of `order` was already tried once (on the event loop, by
    /// `completeOnLoop`) and failed so; the chain goes on from there as if it had just happened.
    func complete(_ call: ChatCall, order: [String], requestID: String, firstFailure: ProviderFailure? = nil) async throws(ChatError) -> Answer {
        try await attempt(call, order: order, requestID: requestID, firstFailure: firstFailure) { provider, model throws(ProviderFailure) in
            let completion = try await provider.complete(call, model: model)
            return (Answer(provider: provider.name, model: model, completion: completion), completion.usage ?? estimate(call, completion.content))
        }
    }

    func openStream(_ call: ChatCall, order: [String], requestID: String) async throws(ChatError) -> OpenedStream {
        try await attempt(call, order: order, requestID: requestID) { provider, model throws(ProviderFailure) in
            let stream = try await provider.stream(call, model: model)
            do throws(ProviderFailure) {
                guard let first = try await stream.next() else { throw ProviderFailure.brokeOff("the stream ended before its first event") }
                return (OpenedStream(provider: provider.name, model: model, first: first, rest: stream), nil)
            } catch {
                stream.cancel()
                throw error
            }
        }
    }

    private func estimate(_ call: ChatCall, _ content: String) -> ChatUsage {
        ChatUsage(promptTokens: TokenEstimate.prompt(call.messages), completionTokens: TokenEstimate.tokens(content))
    }

    /// The loop shared by plain and streamed calls. `run` returns its result and the usage to
    /// count (nil for a stream: its usage is counted when it ends).
    private func attempt<Result: Sendable>(
        _ call: ChatCall, order: [String], requestID: String, firstFailure: ProviderFailure? = nil,
        _ run: (any ChatProvider, String) async throws(ProviderFailure) -> (Result, ChatUsage?)
    ) async throws(ChatError) -> Result {
        var pendingFailure = firstFailure
        var report: [String] = []
        var shortestCooldown: Double?
        var skippedAll = true
        for (position, name) in order.enumerated() {
            guard let provider = providers[name], let health = health[name] else { continue }
            if let remaining = health.cooldownRemaining(), pendingFailure == nil || position > 0 {
                report.append("\(name): cooling down for \(Int(remaining.rounded(.up))) s")
                shortestCooldown = min(shortestCooldown ?? remaining, remaining)
                continue
            }
            skippedAll = false
            let model = position == 0 ? (call.model ?? provider.defaultModel) : provider.defaultModel
            var tries = 0
            while true {
                tries += 1
                if !(position == 0 && tries == 1 && firstFailure != nil) { health.recordAttempt() }
                let started = MonotonicClock.nanoseconds()
                do throws(ProviderFailure) {
                    if position == 0, let failure = pendingFailure {
                        // Already tried on the loop (and counted there): go on from its failure.
                        pendingFailure = nil
                        throw failure
                    }
                    let (result, usage) = try await run(provider, model)
                    latency[name]?.observe(Double(MonotonicClock.nanoseconds() &- started) / 1e9)
                    health.recordSuccess(usage: usage)  // a stream's tokens are counted when it ends
                    return result
                } catch {
                    if !(position == 0 && tries == 1 && firstFailure != nil) {
                        health.recordFailure(error)
                        logger.warn("provider failed", requestID: requestID, [("provider", name), ("kind", error.kind), ("error", error.description)])
                    }
                    guard error.fallsOver else { throw .providerRejected(provider: name, status: error.statusCode, message: error.providerMessage) }
                    if error.isRetryable && tries <= retries && health.cooldownRemaining() == nil {
                        if retryBackoffMs > 0 { try? await Task.sleep(nanoseconds: UInt64(retryBackoffMs * tries) * 1_000_000) }
                        continue
                    }
                    report.append("\(name): \(error.description)")
                    if position < order.count - 1 { health.recordFallback() }
                    break
                }
            }
        }
        let retryAfter = skippedAll ? shortestCooldown.map { Int($0.rounded(.up)) } : nil
        throw .allProvidersFailed(report, retryAfterSeconds: retryAfter ?? (report.isEmpty ? nil : 1))
    }
}

extension FallbackChain {
    /// The plain-call fast path, on the connection's event loop: when the first provider of `order`
    /// is the local drafter, or a remote one over `http://`, and not cooling down, it answers on the
    /// loop (the drafter at once; a remote through that loop's own connection pool), and a success is
    /// answered without the request ever leaving the loop (no task, no thread crossed: what keeps
    /// chatd's added latency small). Anything else (https, a failure to fall over from) continues on
    /// a task through `complete`.
    func completeOnLoop(_ call: ChatCall, order: [String], requestID: String, loop: EventLoop,
                        completion: @escaping @Sendable (Result<Answer, ChatError>) -> Void) {
        guard let name = order.first, let provider = providers[name] as? any LoopCallableProvider, provider.canCallOnLoop,
              let health = health[name], health.cooldownRemaining() == nil
        else {
            loop.runTask({ () async throws(ChatError) -> Answer in try await complete(call, order: order, requestID: requestID) },
                         then: { result in completion(result.mapError { $0 as? ChatError ?? .badRequest("\($0)") }) })
            return
        }
        let model = call.model ?? provider.defaultModel
        health.recordAttempt()
        let started = MonotonicClock.nanoseconds()
        provider.completeOnLoop(call, model: model, loop: loop) { result in
            switch result {
            case .success(let answer):
                latency[name]?.observe(Double(MonotonicClock.nanoseconds() &- started) / 1e9)
                health.recordSuccess(usage: answer.usage ?? ChatUsage(promptTokens: TokenEstimate.prompt(call.messages), completionTokens: TokenEstimate.tokens(answer.content)))
                completion(.success(Answer(provider: name, model: model, completion: answer)))
            case .failure(let failure):
                health.recordFailure(failure)
                logger.warn("provider failed", requestID: requestID, [("provider", name), ("kind", failure.kind), ("error", failure.description)])
                loop.runTask({ () async throws(ChatError) -> Answer in try await complete(call, order: order, requestID: requestID, firstFailure: failure) },
                             then: { result in completion(result.mapError { $0 as? ChatError ?? .badRequest("\($0)") }) })
            }
        }
    }
}

/// A provider that can make a plain call from event-loop code, answering on that loop.
protocol LoopCallableProvider: ChatProvider {
    var canCallOnLoop: Bool { get }
    func completeOnLoop(_ call: ChatCall, model: String, loop: EventLoop, completion: @escaping @Sendable (Result<ChatCompletion, ProviderFailure>) -> Void)
}

extension ProviderFailure {
    var statusCode: Int {
        if case .status(let code, _, _) = self { return code }
        return 502
    }
}
