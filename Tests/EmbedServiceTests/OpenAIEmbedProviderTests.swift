import Testing
@testable import EmbedService

@Suite struct OpenAIEmbedProviderTests {
    private func provider(_ transport: FakeTransport, dimensions: Int? = nil) -> OpenAIEmbedProvider {
        OpenAIEmbedProvider(
            baseURL: "https://api.openai.com", defaultModel: "text-embedding-3-small", apiKey: "sk-test", dimensions: dimensions,
            timeout: .seconds(30), transport: transport)
    }

    @Test func postsOpenAIsRequestWithBearerKey() async throws {
        let transport = FakeTransport(
            status: 200,
            body: #"""
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[-0.006929283495992422,0.5]}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":1,"total_tokens":1}}
                """#)
        let vectors = try await provider(transport).embed(["hello"], model: "text-embedding-3-small")
        #expect(vectors == [[-0.006929283495992422, 0.5]])
        let call = try #require(transport.calls.first)
        #expect(call.url == "https://api.openai.com/v1/embeddings")
        #expect(call.headers["Authorization"] == "Bearer sk-test")
        #expect(call.json["model"] as? String == "text-embedding-3-small")
        #expect(call.json["input"] as? [String] == ["hello"])
        #expect(call.json["encoding_format"] as? String == "float")
        #expect(call.json["dimensions"] == nil)
    }

    @Test func configuredDimensionsAreRequested() async throws {
        let transport = FakeTransport(status: 200, body: #"{"data":[{"index":0,"embedding":[1,0]}]}"#)
        _ = try await provider(transport, dimensions: 2).embed(["a"], model: "text-embedding-3-small")
        #expect(transport.calls.first?.json["dimensions"] as? Int == 2)
    }

    @Test func itemsAreReorderedByIndex() async throws {
        let transport = FakeTransport(
            status: 200,
            body: #"{"object":"list","data":[{"object":"embedding","index":2,"embedding":[2]},{"object":"embedding","index":0,"embedding":[0]},{"object":"embedding","index":1,"embedding":[1]}],"model":"m"}"#
        )
        #expect(try await provider(transport).embed(["a", "b", "c"], model: "text-embedding-3-small") == [[0], [1], [2]])
    }

    @Test func repeatedOrOutOfRangeIndexIsAProviderFailure() async {
        for data in [#"[{"index":0,"embedding":[1]},{"index":0,"embedding":[1]}]"#, #"[{"index":0,"embedding":[1]},{"index":5,"embedding":[1]}]"#] {
            let transport = FakeTransport(status: 200, body: #"{"data":"# + data + "}")
            await #expect(throws: EmbedError.self) { try await provider(transport).embed(["a", "b"], model: "text-embedding-3-small") }
        }
        let missing = FakeTransport(status: 200, body: #"{"data":[{"index":1,"embedding":[1]}]}"#)
        await #expect(throws: EmbedError.providerFailed(provider: "openai", message: "returned 1 vectors for 2 texts")) {
            try await provider(missing).embed(["a", "b"], model: "text-embedding-3-small")
        }
    }

    @Test func errorReplyIsAProviderFailureQuotingOpenAI() async {
        let transport = FakeTransport(
            status: 401,
            body: #"{"error":{"message":"Incorrect API key provided: sk-test.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
        )
        await #expect(throws: EmbedError.providerFailed(provider: "openai", message: "HTTP 401: Incorrect API key provided: sk-test.")) {
            try await provider(transport).embed(["a"], model: "text-embedding-3-small")
        }
    }

    @Test func timeoutIsAProviderTimeout() async {
        await #expect(throws: EmbedError.providerTimeout(provider: "openai")) {
            try await provider(FakeTransport(error: .timedOut)).embed(["a"], model: "text-embedding-3-small")
        }
    }

    @Test func publishedModelsAndTheConfiguredOneAreSupported() {
        let openai = OpenAIEmbedProvider(defaultModel: "my-proxy-model", apiKey: "k", timeout: .seconds(1), transport: FakeTransport(status: 200, body: ""))
        #expect(openai.supports(model: "my-proxy-model"))
        #expect(openai.supports(model: "text-embedding-3-large"))
        #expect(!openai.supports(model: "gpt-4o"))
        #expect(openai.knownModels.first == "my-proxy-model")
    }
}
