import Foundation
import Testing
@testable import EmbedService

@Suite struct MiniLMConfigTests {
    private func failure(_ environment: [String: String]) -> String? {
        do {
            _ = try EmbedConfig(environment: environment)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func minilmDefaultsToTheModelInTheDataDirectory() throws {
        let config = try EmbedConfig(environment: ["EMBEDD_PROVIDER": "minilm", "LAKEHOUSE_DATA_DIR": "/var/lib/lakehouse"])
        #expect(config.provider == .minilm)
        #expect(config.model == "all-minilm-l6-v2")
        #expect(config.dims == nil)
        #expect(config.modelDirectory == "/var/lib/lakehouse/embedd/all-minilm-l6-v2")
        #expect(config.threads == ProcessInfo.processInfo.activeProcessorCount)
        let explicit = try EmbedConfig(environment: ["EMBEDD_PROVIDER": "minilm", "EMBEDD_MODEL_DIR": "/m", "EMBEDD_THREADS": "1"])
        #expect(explicit.modelDirectory == "/m")
        #expect(explicit.threads == 1)
        #expect(try EmbedConfig(environment: [:]).modelDirectory == nil)
    }

    @Test func minilmRefusesDimsOtherModelsAndBadThreadCounts() {
        #expect(failure(["EMBEDD_PROVIDER": "minilm", "EMBEDD_DIMS": "384"])
            == "EMBEDD_DIMS=384: not supported with EMBEDD_PROVIDER=minilm (the model has 384); unset it")
        #expect(failure(["EMBEDD_PROVIDER": "minilm", "EMBEDD_MODEL": "hash-384"])
            == "EMBEDD_MODEL=hash-384: the minilm provider's model is all-minilm-l6-v2")
        #expect(failure(["EMBEDD_PROVIDER": "minilm", "EMBEDD_THREADS": "0"]) == "EMBEDD_THREADS=0: expected an integer from 1 to 256")
    }

    @Test func aMissingModelDirectoryIsAConfigErrorNamingIt() throws {
        let config = try EmbedConfig(environment: ["EMBEDD_PROVIDER": "minilm", "EMBEDD_MODEL_DIR": "/nonexistent/minilm"])
        let transport = FakeTransport(status: 200, body: "{}")
        #expect(throws: EmbedConfigError.self) { try config.loadProvider(transport: transport) }
        do {
            _ = try config.loadProvider(transport: transport)
        } catch {
            #expect(error.description.hasPrefix("EMBEDD_MODEL_DIR=/nonexistent/minilm: no such directory"))
        }
    }

    @Test func makeProviderStandsInWithAProviderThatFailsNamingTheReason() async throws {
        let config = try EmbedConfig(environment: ["EMBEDD_PROVIDER": "minilm", "EMBEDD_MODEL_DIR": "/nonexistent/minilm"])
        let provider = config.makeProvider(transport: FakeTransport(status: 200, body: "{}"))
        #expect(provider.name == "minilm")
        #expect(provider.defaultModel == "all-minilm-l6-v2")
        await #expect(throws: EmbedError.self) { try await provider.embed(["a"], model: "all-minilm-l6-v2") }
    }
}
