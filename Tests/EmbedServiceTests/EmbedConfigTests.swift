import Testing
@testable import EmbedService

@Suite struct EmbedConfigTests {
    private func config(_ environment: [String: String]) throws(EmbedConfigError) -> EmbedConfig {
        try EmbedConfig(environment: environment)
    }

    /// The one line the daemon would print for `environment`.
    private func failure(_ environment: [String: String]) -> String? {
        do {
            _ = try config(environment)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func defaultsAreTheEmbeddedHashProvider() throws {
        let config = try config(["PATH": "/usr/bin", "LAKEHOUSE_DATA_DIR": "./data"])
        #expect(config.provider == .hash)
        #expect(config.dims == 384)
        #expect(config.model == "hash-384")
        #expect(config.baseURL == nil)
        #expect(config.apiKey == nil)
        #expect(config.cacheBytes == 256 * 1024 * 1024)
        #expect(config.maxBatch == 64)
        #expect(config.limits == EmbedLimits(maxTexts: 2048, maxTextBytes: 65536))
        #expect(config.timeout == .milliseconds(30000))
    }

    @Test func hashModelFollowsDimsAndDimsFollowModel() throws {
        #expect(try config(["EMBEDD_DIMS": "256"]).model == "hash-256")
        #expect(try config(["EMBEDD_MODEL": "hash-128"]).dims == 128)
        #expect(try config(["EMBEDD_MODEL": "hash-128", "EMBEDD_DIMS": "128"]).model == "hash-128")
        #expect(failure(["EMBEDD_MODEL": "hash-128", "EMBEDD_DIMS": "256"]) == "EMBEDD_MODEL=hash-128: disagrees with EMBEDD_DIMS=256; set one of them")
        #expect(failure(["EMBEDD_MODEL": "nomic-embed-text"]) == "EMBEDD_MODEL=nomic-embed-text: the hash provider's model is hash-<dims>, e.g. hash-384")
    }

    @Test func ollamaDefaults() throws {
        let config = try config(["EMBEDD_PROVIDER": "ollama"])
        #expect(config.model == "nomic-embed-text")
        #expect(config.baseURL == "http://127.0.0.1:11434")
        #expect(config.dims == nil)
        #expect(failure(["EMBEDD_PROVIDER": "ollama", "EMBEDD_DIMS": "384"]) == "EMBEDD_DIMS=384: not supported with EMBEDD_PROVIDER=ollama (the model decides); unset it")
    }

    @Test func openAINeedsAKeyAndTakesOptionalDims() throws {
        #expect(failure(["EMBEDD_PROVIDER": "openai"]) == "EMBEDD_API_KEY is required with EMBEDD_PROVIDER=openai")
        let config = try config(["EMBEDD_PROVIDER": "openai", "EMBEDD_API_KEY": "sk-1", "EMBEDD_DIMS": "512"])
        #expect(config.model == "text-embedding-3-small")
        #expect(config.baseURL == "https://api.openai.com")
        #expect(config.dims == 512)
        #expect(config.apiKey == "sk-1")
        #expect(failure(["EMBEDD_PROVIDER": "openai", "EMBEDD_API_KEY": "k", "EMBEDD_BASE_URL": "https://api.openai.com/v1/"]) == "EMBEDD_BASE_URL=https://api.openai.com/v1: leave out /v1: the provider calls <base>/v1/embeddings")
    }

    @Test func badValuesNameTheVariableAndTheAcceptedValues() {
        #expect(failure(["EMBEDD_PROVIDER": "bert"]) == "EMBEDD_PROVIDER=bert: expected one of hash, minilm, ollama, openai")
        #expect(failure(["EMBEDD_DIMS": "0"]) == "EMBEDD_DIMS=0: expected an integer from 1 to 4096")
        #expect(failure(["EMBEDD_DIMS": "lots"]) == "EMBEDD_DIMS=lots: expected an integer from 1 to 4096")
        #expect(failure(["EMBEDD_MAX_BATCH": "0"]) == "EMBEDD_MAX_BATCH=0: expected an integer from 1 to 4096")
        #expect(failure(["EMBEDD_MAX_TEXTS": "-1"]) == "EMBEDD_MAX_TEXTS=-1: expected an integer from 1 to 100000")
        #expect(failure(["EMBEDD_TIMEOUT_MS": "1s"]) == "EMBEDD_TIMEOUT_MS=1s: expected an integer from 1 to 600000")
        #expect(failure(["EMBEDD_CACHE_BYTES": "big"]) == "EMBEDD_CACHE_BYTES=big: expected a byte count from 0 (off) to 1TiB, e.g. 268435456 or 256MiB")
        #expect(failure(["EMBEDD_PROVIDER": "ollama", "EMBEDD_BASE_URL": "localhost:11434"]) == "EMBEDD_BASE_URL=localhost:11434: expected an http:// or https:// URL")
    }

    @Test func unknownVariableIsAnErrorSoTyposAreCaught() {
        let line = failure(["EMBEDD_PROVDER": "ollama"])
        #expect(line?.hasPrefix("EMBEDD_PROVDER: unknown variable; known: EMBEDD_PROVIDER, ") == true)
    }

    @Test func emptyValuesCountAsUnset() throws {
        let config = try config(["EMBEDD_API_KEY": "", "EMBEDD_MODEL": "", "EMBEDD_PROVIDER": ""])
        #expect(config.provider == .hash)
        #expect(config.apiKey == nil)
    }

    @Test func cacheBytesTakeBinarySuffixes() throws {
        #expect(try config(["EMBEDD_CACHE_BYTES": "0"]).cacheBytes == 0)
        #expect(try config(["EMBEDD_CACHE_BYTES": "1048576"]).cacheBytes == 1 << 20)
        #expect(try config(["EMBEDD_CACHE_BYTES": "64MiB"]).cacheBytes == 64 << 20)
        #expect(try config(["EMBEDD_CACHE_BYTES": "2G"]).cacheBytes == 2 << 30)
        #expect(try config(["EMBEDD_CACHE_BYTES": "512kib"]).cacheBytes == 512 << 10)
    }

    @Test func configuredProviderIsBuilt() throws {
        let transport = FakeTransport(status: 200, body: "{}")
        #expect(try config([:]).makeProvider(transport: transport).name == "hash")
        #expect(try config(["EMBEDD_DIMS": "64"]).makeProvider(transport: transport).defaultModel == "hash-64")
        let ollama = try config(["EMBEDD_PROVIDER": "ollama", "EMBEDD_MODEL": "mxbai-embed-large"]).makeProvider(transport: transport)
        #expect(ollama.name == "ollama")
        #expect(ollama.defaultModel == "mxbai-embed-large")
        let embedder = CachingEmbedder(config: try config(["EMBEDD_MAX_BATCH": "8", "EMBEDD_CACHE_BYTES": "1MiB"]), transport: transport)
        #expect(embedder.maxBatch == 8)
        #expect(embedder.cache.capacityBytes == 1 << 20)
    }

    @Test func apiKeyNeverAppearsInErrors() {
        let line = failure(["EMBEDD_PROVIDER": "openai", "EMBEDD_API_KEY": "sk-secret", "EMBEDD_TIMEOUT_MS": "x"])
        #expect(line?.contains("sk-secret") == false)
    }
}
