/// chatd's own API (SPEC §6 `POST /v1/chat`), as its callers (validatord's iterate loop, matrixd's
/// role-extraction fallback) send and read it. chatd validates requests more strictly than these
/// types alone do (roles, ranges, unknown providers).
public struct ChatMessage: Codable, Sendable, Hashable {
    /// "system", "user" or "assistant".
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

public struct ChatRequest: Codable, Sendable, Hashable {
    public var provider: String?
    public var model: String?
    public var messages: [ChatMessage]
    public var temperature: Double?
    public var maxTokens: Int?
    /// Ask the provider for a JSON object answer.
    public var json: Bool?

    enum CodingKeys: String, CodingKey {
        case provider, model, messages, temperature
        case maxTokens = "max_tokens"
        case json
    }

    public init(provider: String? = nil, model: String? = nil, messages: [ChatMessage], temperature: Double? = nil, maxTokens: Int? = nil, json: Bool? = nil) {
        self.provider = provider
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.json = json
    }
}

public struct ChatUsage: Codable, Sendable, Hashable {
    public var promptTokens: Int
    public var completionTokens: Int

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

public struct ChatResponse: Codable, Sendable, Hashable {
    /// The provider that actually answered (after any fallback).
    public var provider: String
    public var model: String
    public var message: ChatMessage
    public var usage: ChatUsage
    public var latencyMs: Double

    enum CodingKeys: String, CodingKey {
        case provider, model, message, usage
        case latencyMs = "latency_ms"
    }

    public init(provider: String, model: String, message: ChatMessage, usage: ChatUsage, latencyMs: Double) {
        self.provider = provider
        self.model = model
        self.message = message
        self.usage = usage
        self.latencyMs = latencyMs
    }
}
