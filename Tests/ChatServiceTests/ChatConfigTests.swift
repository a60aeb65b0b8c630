import LakehouseKit
import Testing
@testable import ChatService

@Suite struct ChatConfigTests {
    @Test func defaultsNeedNoNetworkAndNoKey() throws {
        let config = try ChatConfig(environment: [:])
        #expect(config.fallback == ["local"])
        #expect(config.localFlawRate == 0.25)
        #expect(config.retries == 1)
        #expect(config.remotes.count == 5)
        #expect(config.remotes["ollama"]?.isUsable == true)
        #expect(config.remotes["openrouter"]?.isUsable == false)
        #expect(config.remotes["openrouter"]?.chatURL == "https://openrouter.ai/api/v1/chat/completions")
        #expect(config.remotes["ollama_cloud"]?.chatURL == "https://ollama.com/api/chat")
        #expect(config.remotes["opencode"]?.chatURL == "https://opencode.ai/zen/v1/chat/completions")
        #expect(config.remotes["kimi"]?.chatURL == "https://api.moonshot.ai/v1/chat/completions")
        #expect(config.remotes["openrouter"]?.extraHeaders["X-Title"] == "Lakehouse")
    }

    @Test func everyProviderIsConfiguredByItsOwnVariables() throws {
        let config = try ChatConfig(environment: [
            "CHATD_FALLBACK": "openrouter, ollama ,local", "CHATD_OPENROUTER_API_KEY": "k1", "CHATD_OPENROUTER_BASE_URL": "http://127.0.0.1:9/api/",
            "CHATD_OPENROUTER_MODEL": "m1", "CHATD_OPENROUTER_TIMEOUT_MS": "1234", "CHATD_OPENROUTER_TITLE": "T", "CHATD_OPENROUTER_REFERER": "https://x",
            "CHATD_LOCAL_FLAW_RATE": "0", "CHATD_RETRIES": "0", "CHATD_COOLDOWN_S": "2.5", "CHATD_KIMI_API_KEY": "",
        ])
        #expect(config.fallback == ["openrouter", "ollama", "local"])
        let openrouter = try #require(config.remotes["openrouter"])
        #expect(openrouter.chatURL == "http://127.0.0.1:9/api/v1/chat/completions")
        #expect(openrouter.model == "m1" && openrouter.timeoutMs == 1234 && openrouter.apiKey == "k1")
        #expect(openrouter.extraHeaders == ["X-Title": "T", "HTTP-Referer": "https://x"])
        #expect(config.localFlawRate == 0 && config.retries == 0 && config.cooldownSeconds == 2.5)
        #expect(config.remotes["kimi"]?.apiKey == nil, "an empty value counts as unset")
    }

    @Test func badValuesAreOneLineNamingTheVariable() {
        let cases: [([String: String], String)] = [
            (["CHATD_FALLBACK": "openrouter"], "CHATD_OPENROUTER_API_KEY"),
            (["CHATD_FALLBACK": "gpt"], "unknown provider 'gpt'"),
            (["CHATD_FALLBACK": "local,local"], "twice"),
            (["CHATD_LOCAL_FLAW_RATE": "1.5"], "CHATD_LOCAL_FLAW_RATE"),
            (["CHATD_LOCAL_FLAW_RATE": "often"], "CHATD_LOCAL_FLAW_RATE"),
            (["CHATD_KIMI_BASE_URL": "ftp://x"], "CHATD_KIMI_BASE_URL"),
            (["CHATD_KIMI_BASE_URL": "https://api.moonshot.ai/v1"], "base URL only"),
            (["CHATD_OLLAMA_TIMEOUT_MS": "0"], "CHATD_OLLAMA_TIMEOUT_MS"),
            (["CHATD_RETRIES": "9"], "CHATD_RETRIES"),
            (["CHATD_OPENROUTER_KEY": "typo"], "CHATD_OPENROUTER_KEY is not a chatd variable"),
        ]
        for (environment, mention) in cases {
            do {
                _ = try ChatConfig(environment: environment)
                Issue.record("accepted \(environment)")
            } catch {
                #expect(error.message.contains(mention), "\(environment): \(error.message)")
                #expect(!error.message.contains("\n"))
            }
        }
    }
}
