import Synchronization

/// Embeddings as the service produces them, for both routes and for in-process callers.
public struct EmbedResult: Sendable {
    /// The model that produced the vectors (the request's, or the provider's default).
    public let model: String
    public let dims: Int
    /// One per requested text, in request order; repeated texts share an instance.
    public let embeddings: [EmbeddedVector]

    public init(model: String, dims: Int, embeddings: [EmbeddedVector]) {
        self.model = model
        self.dims = dims
        self.embeddings = embeddings
    }

    public var vectors: [[Float]] { embeddings.map(\.values) }
}

/// Counters for `/metrics`, beside the cache's own.
public struct CachingEmbedderStats: Sendable, Equatable, Codable {
    /// Calls to the provider (one per batch) and the texts they carried.
    public var providerCalls: Int
    public var providerTexts: Int
    /// Provider calls that failed (any `EmbedError`).
    public var providerFailures: Int
    /// Texts that waited for another request's identical in-flight text instead of calling the provider.
    public var coalescedTexts: Int

    enum CodingKeys: String, CodingKey {
        case providerCalls = "provider_calls"
        case providerTexts = "provider_texts"
        case providerFailures = "provider_failures"
        case coalescedTexts = "coalesced_texts"
    }
}

/// The embedding domain in front of a provider: answers from the cache what it can, coalesces
/// concurrent misses for the same (model, text) into one provider call (single flight), deduplicates
/// texts within a request, sends the remaining misses in batches of at most `maxBatch`, and stores
/// what comes back. Vectors always come back in request order.
///
/// A request that hits the cache for every text takes one lock and allocates only its key and
/// result arrays: this is the warm path.
public final class CachingEmbedder: Sendable {
    public let provider: any EmbeddingProvider
    public let cache: EmbedCache
    public let maxBatch: Int
    public let limits: EmbedLimits

    private let flights = SingleFlight<EmbedCacheKey, EmbeddedVector>()
    private let providerCalls = Atomic<Int>(0)
    private let providerTexts = Atomic<Int>(0)
    private let providerFailures = Atomic<Int>(0)
    private let coalescedTexts = Atomic<Int>(0)

    public init(provider: any EmbeddingProvider, cache: EmbedCache, maxBatch: Int, limits: EmbedLimits = EmbedLimits()) {
        precondition(maxBatch >= 1, "maxBatch must be at least 1")
        self.provider = provider
        self.cache = cache
        self.maxBatch = maxBatch
        self.limits = limits
    }

    /// Everything from configuration: provider, cache size, batch size, limits. `transport` carries
    /// the network providers' calls (unused by `hash`).
    public convenience init(config: EmbedConfig, transport: any EmbedTransport) {
        self.init(
            provider: config.makeProvider(transport: transport),
            cache: EmbedCache(capacityBytes: config.cacheBytes),
            maxBatch: config.maxBatch,
            limits: config.limits)
    }

    public var stats: CachingEmbedderStats {
        CachingEmbedderStats(
            providerCalls: providerCalls.load(ordering: .relaxed),
            providerTexts: providerTexts.load(ordering: .relaxed),
            providerFailures: providerFailures.load(ordering: .relaxed),
            coalescedTexts: coalescedTexts.load(ordering: .relaxed))
    }

    /// A decoded request: `embed(texts:model:)`, then the OpenAI shape's `dimensions` check.
    public func embed(_ request: EmbedRequest) async throws(EmbedError) -> EmbedResult {
        let result = try await embed(request.texts, model: request.model)
        if let dimensions = request.dimensions, dimensions != result.dims {
            throw .badRequest(
                "model \"\(result.model)\" returns \(result.dims) dimensions; \"dimensions\" must be \(result.dims) or absent")
        }
        return result
    }

    /// The result without suspending when every text is already cached, so a handler can answer on
    /// its event loop; nil when anything is missing (then `embed(_:)` does the work). Validates and
    /// throws exactly like `embed(_:)`.
    public func cachedResult(_ request: EmbedRequest) throws(EmbedError) -> EmbedResult? {
        let model = try provider.resolveModel(request.model)
        try EmbedRequest.validate(request.texts, limits: limits)
        guard let embeddings = cache.lookupAll(request.texts.map { EmbedCacheKey(model: model, text: $0) }) else { return nil }
        let dims = embeddings[0].dims
        guard embeddings.allSatisfy({ $0.dims == dims }) else { return nil }
        if let dimensions = request.dimensions, dimensions != dims {
            throw .badRequest("model \"\(model)\" returns \(dims) dimensions; \"dimensions\" must be \(dims) or absent")
        }
        return EmbedResult(model: model, dims: dims, embeddings: embeddings)
    }

    /// Vectors for `texts` in order, with `model` or the provider's default. Validates like a request
    /// (non-empty, `limits`); an unknown model is a 400 before any work.
    public func embed(_ texts: [String], model requestedModel: String? = nil) async throws(EmbedError) -> EmbedResult {
        let model = try provider.resolveModel(requestedModel)
        try EmbedRequest.validate(texts, limits: limits)
        let keys = texts.map { EmbedCacheKey(model: model, text: $0) }
        var found = cache.lookup(keys)
        if found.contains(where: { $0 == nil }) {
            try await fillMisses(&found, keys: keys, model: model)
        }
        // Every slot is filled: fillMisses either filled them all or threw.
        let embeddings = found.map { $0! }
        let dims = embeddings[0].dims
        // Cached vectors of one model can differ only if a network model changed size under us.
        if let odd = embeddings.first(where: { $0.dims != dims }) {
            throw .providerFailed(
                provider: provider.name, message: "model \"\(model)\" returned vectors of \(dims) and \(odd.dims) dimensions")
        }
        return EmbedResult(model: model, dims: dims, embeddings: embeddings)
    }

    // MARK: - Misses

    private typealias Flight = SingleFlight<EmbedCacheKey, EmbeddedVector>.Flight

    private func fillMisses(_ found: inout [EmbeddedVector?], keys: [EmbedCacheKey], model: String) async throws(EmbedError) {
        // Distinct missing keys in first-seen order, and where each goes in the result.
        var positions: [EmbedCacheKey: [Int]] = [:]
        var distinct: [EmbedCacheKey] = []
        for (i, key) in keys.enumerated() where found[i] == nil {
            if positions[key] == nil { distinct.append(key) }
            positions[key, default: []].append(i)
        }
        func place(_ key: EmbedCacheKey, _ vector: EmbeddedVector) {
            for i in positions[key] ?? [] { found[i] = vector }
        }

        var leads: [(key: EmbedCacheKey, flight: Flight)] = []
        var waits: [(key: EmbedCacheKey, flight: Flight)] = []
        for (key, claim) in zip(distinct, flights.claim(distinct, ready: cache.peek)) {
            switch claim {
            case .ready(let vector): place(key, vector)
            case .lead(let flight): leads.append((key, flight))
            case .wait(let flight): waits.append((key, flight))
            }
        }
        if !waits.isEmpty { coalescedTexts.add(waits.count, ordering: .relaxed) }

        // Lead first, then wait: two requests each leading some keys and waiting on the other's
        // can never deadlock, because every leader finishes its flights before it waits.
        var next = 0
        while next < leads.count {
            // The hash provider computes on this thread: between batches, let other requests (the
            // warm ones, a lock and a copy each) run instead of queueing behind a 2048-text request.
            if next > 0 { await Task.yield() }
            let batch = leads[next..<min(next + maxBatch, leads.count)]
            let vectors: [[Float]]
            do {
                vectors = try await callProvider(batch.map(\.key.text), model: model)
            } catch {
                // Every flight this request leads must end, or its waiters would wait forever.
                for (key, flight) in leads[next...] { flights.finish(key, flight, with: .failure(error)) }
                throw error
            }
            for ((key, flight), values) in zip(batch, vectors) {
                let vector = EmbeddedVector(values)
                // Store before finishing: a later claimer sees either the flight or the cached value.
                cache.put(key, vector)
                flights.finish(key, flight, with: .success(vector))
                place(key, vector)
            }
            next = batch.endIndex
        }

        for (key, flight) in waits {
            switch await flight.outcome() {
            case .success(let vector): place(key, vector)
            case .failure(let error): throw error
            }
        }
    }

    private func callProvider(_ texts: [String], model: String) async throws(EmbedError) -> [[Float]] {
        providerCalls.add(1, ordering: .relaxed)
        providerTexts.add(texts.count, ordering: .relaxed)
        do {
            let vectors = try await provider.embed(texts, model: model)
            // Providers check their own replies; this guards the cache against any that does not.
            try EmbeddingCheck.validate(vectors, expectedCount: texts.count, provider: provider.name)
            return vectors
        } catch {
            providerFailures.add(1, ordering: .relaxed)
            throw error
        }
    }
}
