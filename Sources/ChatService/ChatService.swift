import LakehouseKit

/// chatd: one chat API over many providers (SPEC §6). The route table; handlers in `ChatRoutes`,
/// the order of providers in `FallbackChain`, the built-in drafter in `LocalDrafter`.
public struct ChatService: DaemonService {
    let routes: ChatRoutes

    public init(context: DaemonContext) throws {
        let config = try ChatConfig(environment: context.environment.values)
        let transport = ProviderTransport(client: context.peers.client)
        var providers: [String: any ChatProvider] = [ChatConfig.localName: LocalChatProvider(drafter: LocalDrafter(flawRate: config.localFlawRate))]
        for (name, remote) in config.remotes where remote.isUsable {
            switch remote.wire {
            case .ollama: providers[name] = RemoteChatProvider<OllamaChatWire>(config: remote, transport: transport)
            case .openAI: providers[name] = RemoteChatProvider<OpenAIChatWire>(config: remote, transport: transport)
            }
        }
        let policy = ProviderHealth.Policy(failures: config.cooldownFailures, windowSeconds: config.cooldownWindowSeconds, cooldownSeconds: config.cooldownSeconds)
        var health: [String: ProviderHealth] = [:]
        var latency: [String: Histogram] = [:]
        for name in ChatConfig.knownNames {
            health[name] = ProviderHealth(policy: policy)
            latency[name] = context.metrics.histogram("chatd_provider_latency_seconds", help: "Provider call latency (to the whole answer, or to a stream's first event).",
                                                      labels: [("provider", name)])
        }
        let chain = FallbackChain(providers: providers, health: health, chain: config.fallback, retries: config.retries,
                                  retryBackoffMs: config.retryBackoffMs, latency: latency, logger: context.logger)
        let streamErrors = context.metrics.counter("chatd_stream_errors_total", help: "Streams that ended with an error event after they began.")
        routes = ChatRoutes(chain: chain, config: config, streamErrors: streamErrors, logger: context.logger)
        ChatService.registerMetrics(context.metrics, health: health)
        context.logger.info("chat providers", [("fallback", config.fallback.joined(separator: ",")),
                                               ("usable", providers.keys.sorted().joined(separator: ",")),
                                               ("local_flaw_rate", String(config.localFlawRate))])
    }

    public func register(_ router: inout Router) {
        let routes = self.routes
        router.callback(.POST, "/v1/chat") { routes.chat($0, loop: $1, respond: $2) }
        router.callback(.POST, "/v1/chat/completions") { routes.completions($0, loop: $1, respond: $2) }
        router.inline(.GET, "/v1/providers") { try routes.providers($0) }
    }

    static func registerMetrics(_ metrics: MetricsRegistry, health: [String: ProviderHealth]) {
        for name in ChatConfig.knownNames {
            guard let provider = health[name] else { continue }
            let label = [("provider", name)]
            metrics.counter("chatd_provider_requests_total", help: "Calls made to each provider (retries included).", labels: label) { Double(provider.snapshot.requests) }
            metrics.counter("chatd_provider_successes_total", help: "Calls a provider answered.", labels: label) { Double(provider.snapshot.successes) }
            for kind in ["unreachable", "timeout", "rate_limited", "server_error", "rejected", "invalid_answer", "broke_off"] {
                metrics.counter("chatd_provider_errors_total", help: "Failed provider calls, by kind.", labels: label + [("kind", kind)]) {
                    Double(provider.snapshot.failureKinds[kind] ?? 0)
                }
            }
            metrics.counter("chatd_fallbacks_total", help: "Requests moved on from this provider to the next in the chain.", labels: label) { Double(provider.snapshot.fallbacks) }
            metrics.counter("chatd_tokens_total", help: "Tokens reported (or estimated) per provider.", labels: label + [("kind", "prompt")]) { Double(provider.snapshot.promptTokens) }
            metrics.counter("chatd_tokens_total", help: "Tokens reported (or estimated) per provider.", labels: label + [("kind", "completion")]) { Double(provider.snapshot.completionTokens) }
            metrics.gauge("chatd_provider_cooling_down", help: "1 while the provider is skipped after repeated failures.", labels: label) { provider.cooldownRemaining() == nil ? 0 : 1 }
        }
    }
}
