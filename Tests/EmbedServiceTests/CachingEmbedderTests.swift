import Testing
@testable import EmbedService

@Suite(.timeLimit(.minutes(1))) struct CachingEmbedderTests {
    private func makeEmbedder(
        _ provider: any EmbeddingProvider, maxBatch: Int = 64, cacheBytes: Int = 1 << 20, limits: EmbedLimits = EmbedLimits()
    ) -> CachingEmbedder {
        CachingEmbedder(provider: provider, cache: EmbedCache(capacityBytes: cacheBytes), maxBatch: maxBatch, limits: limits)
    }

    @Test func fiftyConcurrentRequestsForOneNewTextMakeOneProviderCall() async throws {
        let provider = RecordingProvider(delay: .milliseconds(50))
        let embedder = makeEmbedder(provider)
        let results = try await withThrowingTaskGroup(of: EmbedResult.self) { group in
            for _ in 0..<50 { group.addTask { try await embedder.embed(["brand new text"]) } }
            var all: [EmbedResult] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(provider.callCount == 1)
        #expect(results.count == 50)
        #expect(results.allSatisfy { $0.vectors == [RecordingProvider.vector("brand new text")] })
        #expect(embedder.stats.providerCalls == 1)
    }

    @Test func missesAreSplitIntoBatchesOfAtMostMaxBatch() async throws {
        let provider = RecordingProvider()
        let embedder = makeEmbedder(provider, maxBatch: 3)
        let texts = (0..<10).map { "text \($0)" }
        let result = try await embedder.embed(texts)
        #expect(provider.batches.map(\.count) == [3, 3, 3, 1])
        #expect(provider.batches.flatMap { $0 } == texts)
        #expect(result.vectors == texts.map(RecordingProvider.vector))
    }

    @Test func repeatedTextsInOneRequestAreEmbeddedOnceAndOrderIsKept() async throws {
        let provider = RecordingProvider()
        let embedder = makeEmbedder(provider)
        let texts = ["b", "a", "b", "c", "a"]
        let result = try await embedder.embed(texts)
        #expect(provider.batches == [["b", "a", "c"]])
        #expect(result.vectors == texts.map(RecordingProvider.vector))
        #expect(result.embeddings[0] === result.embeddings[2])
    }

    @Test func cachedTextsSkipTheProvider() async throws {
        let provider = RecordingProvider()
        let embedder = makeEmbedder(provider)
        _ = try await embedder.embed(["a", "b"])
        let result = try await embedder.embed(["b", "new", "a"])
        #expect(provider.batches == [["a", "b"], ["new"]])
        #expect(result.vectors == ["b", "new", "a"].map(RecordingProvider.vector))
        let stats = embedder.cache.stats
        #expect(stats.hits == 2)
        #expect(stats.misses == 3)
        #expect(stats.entries == 3)
        _ = try await embedder.embed(["a", "b", "new"])
        #expect(provider.callCount == 2)
        #expect(embedder.cache.stats.hits == 5)
    }

    @Test func providerErrorsReachAllWaitersAndAreNotCached() async throws {
        let error = EmbedError.providerFailed(provider: "fake", message: "HTTP 500: boom")
        let provider = RecordingProvider(delay: .milliseconds(300), failure: error)
        let embedder = makeEmbedder(provider)
        let first = Task { () throws(EmbedError) in try await embedder.embed(["x"]) }
        await waitUntil { provider.callCount == 1 }  // the flight is open: everyone else waits on it
        let outcomes = await withTaskGroup(of: EmbedError?.self) { group in
            for _ in 0..<9 {
                group.addTask {
                    do throws(EmbedError) {
                        _ = try await embedder.embed(["x"])
                        return nil
                    } catch { return error }
                }
            }
            var all: [EmbedError?] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 9)
        #expect(outcomes.allSatisfy { $0 == error })
        await #expect(throws: error) { try await first.value }
        #expect(provider.callCount == 1)
        #expect(embedder.stats.coalescedTexts == 9)
        #expect(embedder.stats.providerFailures == 1)

        provider.setFailure(nil)
        let result = try await embedder.embed(["x"])
        #expect(result.vectors == [RecordingProvider.vector("x")])
        #expect(provider.callCount == 2)
    }

    @Test func failedLeaderReleasesEveryFlightItLeads() async throws {
        // Batches of one: the first fails, and the flights for the later texts must end too, or a
        // request waiting on one of them would hang.
        let error = EmbedError.providerTimeout(provider: "fake")
        let provider = RecordingProvider(delay: .milliseconds(300), failure: error)
        let embedder = makeEmbedder(provider, maxBatch: 1)
        let leader = Task { try await embedder.embed(["a", "b", "c"]) }
        await waitUntil { provider.callCount == 1 }  // "a", "b" and "c" are all claimed by now
        await #expect(throws: error) { try await embedder.embed(["c"]) }
        await #expect(throws: error) { try await leader.value }
        #expect(provider.callCount == 1)
    }

    @Test func unknownModelIsABadRequestWithoutProviderCall() async {
        let provider = RecordingProvider()
        let embedder = makeEmbedder(provider)
        await #expect(throws: EmbedError.badRequest("unknown model \"nope\" for embedding provider fake; known: \"fake-4\"")) {
            try await embedder.embed(["a"], model: "nope")
        }
        #expect(provider.callCount == 0)
    }

    @Test func defaultModelIsUsedWhenNoneIsNamed() async throws {
        let embedder = makeEmbedder(RecordingProvider())
        #expect(try await embedder.embed(["a"]).model == "fake-4")
        #expect(try await embedder.embed(["a"], model: "fake-4").model == "fake-4")
    }

    @Test func limitsApplyToDirectCallers() async {
        let embedder = makeEmbedder(RecordingProvider(), limits: EmbedLimits(maxTexts: 2, maxTextBytes: 5))
        await #expect(throws: EmbedError.badRequest("field \"texts\" must not be empty")) { try await embedder.embed([]) }
        await #expect(throws: EmbedError.tooLarge("too many texts: 3; at most 2 per request")) {
            try await embedder.embed(["a", "b", "c"])
        }
        await #expect(throws: EmbedError.tooLarge("texts[1] is 7 bytes; at most 5 per text")) {
            try await embedder.embed(["a", "toolong"])
        }
    }

    @Test func requestedDimensionsMustMatchTheModel() async throws {
        let embedder = makeEmbedder(HashEmbedProvider(dims: 8))
        let ok = try await embedder.embed(EmbedRequest(texts: ["a"], dimensions: 8))
        #expect(ok.dims == 8)
        await #expect(throws: EmbedError.badRequest("model \"hash-8\" returns 8 dimensions; \"dimensions\" must be 8 or absent")) {
            try await embedder.embed(EmbedRequest(texts: ["a"], dimensions: 16))
        }
    }

    @Test func misbehavingProviderIsAProviderFailureAndNothingIsCached() async {
        struct ShortProvider: EmbeddingProvider {
            let name = "short"
            let defaultModel = "m"
            let knownModels = ["m"]
            func supports(model: String) -> Bool { true }
            func embed(_ texts: [String], model: String) async throws(EmbedError) -> [[Float]] { [[.nan]] }
        }
        let embedder = makeEmbedder(ShortProvider())
        await #expect(throws: EmbedError.providerFailed(provider: "short", message: "returned 1 vectors for 2 texts")) {
            try await embedder.embed(["a", "b"])
        }
        await #expect(throws: EmbedError.providerFailed(provider: "short", message: "returned a non-finite value in vector 0")) {
            try await embedder.embed(["a"])
        }
        #expect(embedder.cache.stats.entries == 0)
    }

    @Test func hashProviderEndToEndMatchesTheEmbedder() async throws {
        let embedder = makeEmbedder(HashEmbedProvider())
        let result = try await embedder.embed(["forklift operator", "Toledo"])
        #expect(result.model == "hash-384")
        #expect(result.dims == 384)
        #expect(result.vectors == [HashEmbedder().embed("forklift operator"), HashEmbedder().embed("Toledo")])
    }

    @Test func zeroCapacityCacheStillCoalescesAndServes() async throws {
        let provider = RecordingProvider(delay: .milliseconds(300))
        let embedder = makeEmbedder(provider, cacheBytes: 0)
        let first = Task { try await embedder.embed(["a"]) }
        await waitUntil { provider.callCount == 1 }
        let two = try await embedder.embed(["a"])
        let one = try await first.value
        #expect(one.vectors == two.vectors)
        #expect(provider.callCount == 1)
        _ = try await embedder.embed(["a"])
        #expect(provider.callCount == 2)  // nothing is kept
    }
}
