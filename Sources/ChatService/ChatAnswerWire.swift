import Foundation
import LakehouseKit

/// What chatd answers, in both of its shapes: SPEC's `ChatResponse` for `/v1/chat` and OpenAI's
/// `chat.completion` / `chat.completion.chunk` for `/v1/chat/completions`, plus the server-sent
/// event framing (`data: …\n\n`, `data: [DONE]`).
struct ChatAnswerWire: Sendable {
    /// OpenAI's `id`: one per request, the same on every chunk of a stream.
    let id: String
    /// Unix seconds.
    let created: Int
    let provider: String
    let model: String

    init(requestID: String, provider: String, model: String) {
        id = "chatcmpl-" + requestID
        created = Int(Date().timeIntervalSince1970)
        self.provider = provider
        self.model = model
    }

    static func usageObject(_ usage: ChatUsage) -> JSONValue {
        ["prompt_tokens": .number(Double(usage.promptTokens)), "completion_tokens": .number(Double(usage.completionTokens)),
         "total_tokens": .number(Double(usage.promptTokens + usage.completionTokens))]
    }

    func completion(content: String, finishReason: String, usage: ChatUsage) -> [UInt8] {
        WireJSON.encode([
            "id": .string(id), "object": "chat.completion", "created": .number(Double(created)), "model": .string(model),
            "provider": .string(provider),
            "choices": [["index": 0, "message": ["role": "assistant", "content": .string(content)], "finish_reason": .string(finishReason), "logprobs": nil]],
            "usage": ChatAnswerWire.usageObject(usage),
        ])
    }

    /// One `chat.completion.chunk`: the first carries the role, later ones the text, the last its
    /// finish reason; `usage` only on the extra usage chunk (whose `choices` is empty).
    func chunk(content: String?, role: Bool = false, finishReason: String? = nil) -> [UInt8] {
        var delta: [String: JSONValue] = [:]
        if role { delta["role"] = "assistant" }
        if let content { delta["content"] = .string(content) }
        return event([
            "id": .string(id), "object": "chat.completion.chunk", "created": .number(Double(created)), "model": .string(model),
            "provider": .string(provider),
            "choices": [["index": 0, "delta": .object(delta), "finish_reason": finishReason.map { .string($0) } ?? .null, "logprobs": nil]],
        ])
    }

    func usageChunk(_ usage: ChatUsage) -> [UInt8] {
        event(["id": .string(id), "object": "chat.completion.chunk", "created": .number(Double(created)), "model": .string(model),
               "provider": .string(provider), "choices": [], "usage": ChatAnswerWire.usageObject(usage)])
    }

    /// `/v1/chat` stream: one piece of text.
    func nativeDelta(_ content: String) -> [UInt8] {
        event(["provider": .string(provider), "model": .string(model), "delta": .string(content)])
    }

    /// `/v1/chat` stream: the closing event (the text itself was in the deltas).
    func nativeDone(usage: ChatUsage, finishReason: String, latencyMs: Double) -> [UInt8] {
        event(["provider": .string(provider), "model": .string(model), "done": true, "finish_reason": .string(finishReason),
               "usage": ["prompt_tokens": .number(Double(usage.promptTokens)), "completion_tokens": .number(Double(usage.completionTokens))],
               "latency_ms": .number(latencyMs)])
    }

    /// The event that ends a stream that failed after it began; OpenAI's clients raise on it.
    func errorEvent(_ message: String) -> [UInt8] {
        event(["error": ["message": .string(message), "type": "provider_error", "code": "stream_interrupted", "provider": .string(provider)]])
    }

    static let done = Array("data: [DONE]\n\n".utf8)

    private func event(_ value: JSONValue) -> [UInt8] {
        Array("data: ".utf8) + WireJSON.encode(value) + Array("\n\n".utf8)
    }
}
