import Testing
@testable import EmbedService

@Suite struct HashEmbedProviderTests {
    @Test func modelNameCarriesTheDims() {
        #expect(HashEmbedProvider().defaultModel == "hash-384")
        #expect(HashEmbedProvider(dims: 64).defaultModel == "hash-64")
        #expect(HashEmbedProvider(dims: 64).supports(model: "hash-64"))
        #expect(!HashEmbedProvider(dims: 64).supports(model: "hash-384"))
    }

    @Test func embedsEachTextWithTheHashEmbedder() async throws {
        let vectors = try await HashEmbedProvider(dims: 32).embed(["a", "b c"], model: "hash-32")
        #expect(vectors == [HashEmbedder(dims: 32).embed("a"), HashEmbedder(dims: 32).embed("b c")])
    }

    @Test func resolvingAModelFallsBackToTheDefaultAndRejectsOthers() throws {
        let provider = HashEmbedProvider()
        #expect(try provider.resolveModel(nil) == "hash-384")
        #expect(try provider.resolveModel("hash-384") == "hash-384")
        #expect(throws: EmbedError.badRequest("unknown model \"text-embedding-3-small\" for embedding provider hash; known: \"hash-384\"")) {
            try provider.resolveModel("text-embedding-3-small")
        }
    }
}
