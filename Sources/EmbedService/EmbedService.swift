import LakehouseKit

/// embedd: embeddings and the embed cache (SPEC §6). The route table; handlers in `EmbedRoutes`,
/// the domain in `CachingEmbedder` and the providers.
public struct EmbedService: DaemonService {
    let routes: EmbedRoutes

    public init(context: DaemonContext) throws {
        let config: EmbedConfig
        let provider: any EmbeddingProvider
        let transport = OutboundEmbedTransport(outbound: OutboundHTTP(client: context.peers.client))
        do {
            config = try EmbedConfig(environment: context.environment.values)
            provider = try config.loadProvider(transport: transport)
        } catch {
            throw ConfigError(error.description)
        }
        let embedder = CachingEmbedder(
            provider: provider, cache: EmbedCache(capacityBytes: config.cacheBytes), maxBatch: config.maxBatch, limits: config.limits)
        routes = EmbedRoutes(embedder: embedder)
        EmbedService.registerMetrics(context.metrics, embedder: embedder)
        context.logger.info("embed provider", [("provider", embedder.provider.name), ("model", embedder.provider.defaultModel),
                                               ("cache_bytes", String(config.cacheBytes)), ("max_batch", String(config.maxBatch))])
        if let minilm = provider as? MiniLMEmbedProvider {
            context.logger.info("minilm model loaded", [("dir", config.modelDirectory ?? ""), ("kernels", minilm.kernelName),
                                                        ("threads", String(config.threads)), ("weight_bytes", String(minilm.weightBytes))])
        }
    }

    public func register(_ router: inout Router) {
        let routes = self.routes
        router.callback(.POST, "/v1/embed") { routes.embed($0, loop: $1, respond: $2) }
        router.callback(.POST, "/v1/embeddings") { routes.openAIEmbeddings($0, loop: $1, respond: $2) }
        router.inline(.GET, "/v1/cache/stats") { try routes.cacheStats($0) }
    }

    static func registerMetrics(_ metrics: MetricsRegistry, embedder: CachingEmbedder) {
        let cache = embedder.cache
        metrics.counter("embedd_cache_hits_total", help: "Embed cache hits.") { Double(cache.stats.hits) }
        metrics.counter("embedd_cache_misses_total", help: "Embed cache misses.") { Double(cache.stats.misses) }
        metrics.counter("embedd_cache_evictions_total", help: "Embed cache evictions (byte bound).") { Double(cache.stats.evictions) }
        metrics.gauge("embedd_cache_entries", help: "Entries in the embed cache.") { Double(cache.stats.entries) }
        metrics.gauge("embedd_cache_bytes", help: "Bytes held by the embed cache.") { Double(cache.stats.bytes) }
        metrics.counter("embedd_provider_calls_total", help: "Calls to the embedding provider.") { Double(embedder.stats.providerCalls) }
        metrics.counter("embedd_provider_failures_total", help: "Failed calls to the embedding provider.") { Double(embedder.stats.providerFailures) }
        metrics.counter("embedd_coalesced_texts_total", help: "Texts whose embedding joined a call already in flight.") { Double(embedder.stats.coalescedTexts) }
    }
}
