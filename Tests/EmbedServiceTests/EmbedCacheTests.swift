import Testing
@testable import EmbedService

@Suite struct EmbedCacheTests {
    private func key(_ text: String, model: String = "m") -> EmbedCacheKey { EmbedCacheKey(model: model, text: text) }
    private func vector(_ seed: Float, dims: Int = 4) -> EmbeddedVector {
        EmbeddedVector((0..<dims).map { seed + Float($0) / 8 })
    }

    @Test func hitsAndMissesAreCounted() {
        let cache = EmbedCache(capacityBytes: 1 << 20)
        #expect(cache.get(key("a")) == nil)
        cache.put(key("a"), vector(1))
        #expect(cache.get(key("a"))?.values == vector(1).values)
        #expect(cache.get(key("a")) != nil)
        #expect(cache.get(key("b")) == nil)
        let stats = cache.stats
        #expect(stats.hits == 2)
        #expect(stats.misses == 2)
        #expect(stats.entries == 1)
        #expect(stats.evictions == 0)
        #expect(stats.bytes == EmbedCache.cost(of: key("a"), vector(1)))
    }

    @Test func lookupAnswersManyKeysInOrderAndCountsEach() {
        let cache = EmbedCache(capacityBytes: 1 << 20)
        cache.put(key("a"), vector(1))
        cache.put(key("c"), vector(3))
        let found = cache.lookup([key("a"), key("b"), key("c"), key("a")])
        #expect(found.map { $0?.values.first } == [1, nil, 3, 1])
        #expect(cache.stats.hits == 3)
        #expect(cache.stats.misses == 1)
    }

    @Test func modelIsPartOfTheKey() {
        let cache = EmbedCache(capacityBytes: 1 << 20)
        cache.put(key("a", model: "m1"), vector(1))
        #expect(cache.get(key("a", model: "m2")) == nil)
        #expect(cache.get(key("a", model: "m1")) != nil)
    }

    @Test func keysCompareBytesNotCanonicalEquivalence() {
        let composed = key("caf\u{E9}")
        let decomposed = key("cafe\u{301}")
        #expect(composed.text == decomposed.text)  // Swift String equality says equal…
        #expect(composed != decomposed)  // …the cache key does not
        let cache = EmbedCache(capacityBytes: 1 << 20)
        cache.put(composed, vector(1))
        #expect(cache.get(decomposed) == nil)
    }

    @Test func leastRecentlyUsedIsEvictedFirst() {
        let cost = EmbedCache.cost(of: key("a"), vector(0))
        let cache = EmbedCache(capacityBytes: cost * 3)
        cache.put(key("a"), vector(0))
        cache.put(key("b"), vector(0))
        cache.put(key("c"), vector(0))
        _ = cache.get(key("a"))  // a is now the most recent; b the least
        cache.put(key("d"), vector(0))
        #expect(cache.get(key("b")) == nil)
        #expect(cache.get(key("a")) != nil)
        #expect(cache.get(key("c")) != nil)
        #expect(cache.get(key("d")) != nil)
        #expect(cache.stats.evictions == 1)
        #expect(cache.stats.entries == 3)
    }

    @Test func byteBoundHoldsUnderChurn() {
        let capacity = 64 * 1024
        let cache = EmbedCache(capacityBytes: capacity)
        var generator = SystemRandomNumberGenerator()
        var inserted = 0
        for i in 0..<5_000 {
            // Varying key and vector sizes, some keys repeated.
            let text = String(repeating: "x", count: Int.random(in: 0...300, using: &generator)) + String(i % 1_500)
            let entry = vector(Float(i), dims: Int.random(in: 1...96, using: &generator))
            cache.put(key(text), entry)
            inserted += 1
            let stats = cache.stats
            #expect(stats.bytes <= capacity)
            if stats.bytes > capacity { break }
        }
        let stats = cache.stats
        #expect(stats.evictions > 0)
        #expect(stats.entries > 0)
        #expect(stats.entries + stats.evictions <= inserted)
    }

    @Test func replacingAKeyKeepsOneEntryAndAccurateBytes() {
        let cache = EmbedCache(capacityBytes: 1 << 20)
        cache.put(key("a"), vector(1, dims: 4))
        cache.put(key("a"), vector(2, dims: 8))
        #expect(cache.stats.entries == 1)
        #expect(cache.stats.bytes == EmbedCache.cost(of: key("a"), vector(2, dims: 8)))
        #expect(cache.get(key("a"))?.values.first == 2)
    }

    @Test func entryLargerThanCapacityIsNotStored() {
        let cache = EmbedCache(capacityBytes: 512)
        cache.put(key("small"), vector(1, dims: 1))
        cache.put(key("big"), vector(1, dims: 1_000))
        #expect(cache.get(key("big")) == nil)
        #expect(cache.get(key("small")) != nil)  // and nothing was evicted for it
        #expect(cache.stats.evictions == 0)
    }

    @Test func zeroCapacityStoresNothing() {
        let cache = EmbedCache(capacityBytes: 0)
        cache.put(key("a"), vector(1))
        #expect(cache.get(key("a")) == nil)
        #expect(cache.stats.entries == 0)
        #expect(cache.stats.bytes == 0)
    }

    @Test func costCountsKeyVectorJSONAndOverhead() {
        let entry = vector(0.25, dims: 3)
        let cost = EmbedCache.cost(of: EmbedCacheKey(model: "hash-3", text: "héllo"), entry)
        #expect(cost == 6 + 6 + 3 * 4 + entry.json.count + EmbedCache.entryOverhead)
    }

    @Test func concurrentUseKeepsCountersConsistent() async {
        let cache = EmbedCache(capacityBytes: 32 * 1024)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for i in 0..<2_000 {
                        let k = EmbedCacheKey(model: "m", text: "t\((i * 7 + worker) % 300)")
                        if cache.get(k) == nil { cache.put(k, EmbeddedVector([Float(i), 1, 2, 3])) }
                    }
                }
            }
        }
        let stats = cache.stats
        #expect(stats.hits + stats.misses == 16_000)
        #expect(stats.bytes <= 32 * 1024)
    }
}
