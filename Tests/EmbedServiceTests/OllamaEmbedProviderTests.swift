import Testing
@testable import EmbedService

@Suite struct OllamaEmbedProviderTests {
    private func provider(_ transport: FakeTransport, apiKey: String? = nil) -> OllamaEmbedProvider {
        OllamaEmbedProvider(
            baseURL: "http://127.0.0.1:11434/", defaultModel: "nomic-embed-text", apiKey: apiKey, timeout: .seconds(3),
            transport: transport)
    }

    @Test func postsOllamasRequestAndReadsItsReply() async throws {
        let transport = FakeTransport(
            status: 200,
            body: #"{"model":"nomic-embed-text","embeddings":[[0.010071029,-0.0017594862,0.05007221],[0.5,0.25,-1]],"total_duration":14143917,"load_duration":1019500,"prompt_eval_count":8}"#
        )
        let vectors = try await provider(transport).embed(["first text", "second"], model: "nomic-embed-text")
        #expect(vectors == [[0.010071029, -0.0017594862, 0.05007221], [0.5, 0.25, -1]])
        let call = try #require(transport.calls.first)
        #expect(call.url == "http://127.0.0.1:11434/api/embed")
        #expect(call.headers["Content-Type"] == "application/json")
        #expect(call.headers["Authorization"] == nil)
        #expect(call.timeout == .seconds(3))
        #expect(call.json["model"] as? String == "nomic-embed-text")
        #expect(call.json["input"] as? [String] == ["first text", "second"])
    }

    @Test func apiKeyIsSentAsBearerTokenWhenSet() async throws {
        let transport = FakeTransport(status: 200, body: #"{"embeddings":[[1]]}"#)
        _ = try await provider(transport, apiKey: "secret").embed(["a"], model: "m")
        #expect(transport.calls.first?.headers["Authorization"] == "Bearer secret")
    }

    @Test func missingModelIsAProviderFailureQuotingOllama() async {
        let transport = FakeTransport(status: 404, body: #"{"error":"model \"nomic-embed-text\" not found, try pulling it first"}"#)
        await #expect(
            throws: EmbedError.providerFailed(
                provider: "ollama", message: #"HTTP 404: model "nomic-embed-text" not found, try pulling it first"#)
        ) {
            try await provider(transport).embed(["a"], model: "nomic-embed-text")
        }
    }

    @Test func nonJSONErrorBodyIsQuotedAsAnExcerpt() async {
        let transport = FakeTransport(status: 502, body: "<html>\nBad Gateway\n</html>")
        await #expect(throws: EmbedError.providerFailed(provider: "ollama", message: "HTTP 502: <html> Bad Gateway </html>")) {
            try await provider(transport).embed(["a"], model: "m")
        }
    }

    @Test func unparseableOrShortReplyIsAProviderFailure() async {
        await #expect(throws: EmbedError.providerFailed(provider: "ollama", message: "unparseable reply: {\"embeddings\":\"no\"}")) {
            try await provider(FakeTransport(status: 200, body: #"{"embeddings":"no"}"#)).embed(["a"], model: "m")
        }
        await #expect(throws: EmbedError.providerFailed(provider: "ollama", message: "returned 1 vectors for 2 texts")) {
            try await provider(FakeTransport(status: 200, body: #"{"embeddings":[[1]]}"#)).embed(["a", "b"], model: "m")
        }
    }

    @Test func transportFailuresMapToTimeoutUnavailableAndFailed() async {
        await #expect(throws: EmbedError.providerTimeout(provider: "ollama")) {
            try await provider(FakeTransport(error: .timedOut)).embed(["a"], model: "m")
        }
        await #expect(throws: EmbedError.providerUnavailable(provider: "ollama", message: "connection refused")) {
            try await provider(FakeTransport(error: .unreachable("connection refused"))).embed(["a"], model: "m")
        }
        await #expect(throws: EmbedError.providerFailed(provider: "ollama", message: "connection reset")) {
            try await provider(FakeTransport(error: .failed("connection reset"))).embed(["a"], model: "m")
        }
    }

    @Test func anyWellFormedModelNameIsSupported() {
        let ollama = provider(FakeTransport(status: 200, body: "{}"))
        for name in ["nomic-embed-text", "mxbai-embed-large:latest", "hf.co/org/model:Q4_K_M"] {
            #expect(ollama.supports(model: name))
        }
        for name in ["", "has space", "semi;colon", String(repeating: "a", count: 300)] {
            #expect(!ollama.supports(model: name))
        }
    }
}
