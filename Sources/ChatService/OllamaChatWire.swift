import LakehouseKit

/// Ollama's native chat API, `POST /api/chat` (local Ollama, and ollama.com with a bearer key):
/// `{"model","messages","stream","format":"json","options":{"temperature","num_predict"}}`. The
/// answer is `{"message":{"role","content"},"done":true,"done_reason","prompt_eval_count","eval_count"}`;
/// streamed, it is NDJSON: one such object per line, `done: false` with a piece of content, and a
/// last one with `done: true` and the counts. A line `{"error":"…"}` reports a failure.
enum OllamaChatWire: ChatWire {
    static func requestBody(_ call: ChatCall, model: String, stream: Bool) -> [UInt8] {
        var body: [String: JSONValue] = ["model": .string(model), "messages": WireJSON.messages(call.messages), "stream": .bool(stream)]
        if call.json { body["format"] = "json" }
        var options: [String: JSONValue] = [:]
        if let temperature = call.temperature { options["temperature"] = .number(temperature) }
        if let maxTokens = call.maxTokens { options["num_predict"] = .number(Double(maxTokens)) }
        if !options.isEmpty { body["options"] = .object(options) }
        return WireJSON.encode(.object(body))
    }

    static func completion(from body: [UInt8]) throws(ProviderFailure) -> ChatCompletion {
        let value = try WireJSON.parse(body)
        if let error = value["error"]?.stringValue { throw .invalidAnswer(error) }
        guard let content = value["message"]?["content"]?.stringValue else { throw .invalidAnswer("no message.content") }
        return ChatCompletion(content: content, usage: usage(value), finishReason: value["done_reason"]?.stringValue ?? "stop")
    }

    static func usage(_ value: JSONValue) -> ChatUsage? {
        guard let prompt = value["prompt_eval_count"]?.intValue, let completion = value["eval_count"]?.intValue else { return nil }
        return ChatUsage(promptTokens: prompt, completionTokens: completion)
    }

    static func lineDecoder() -> LineDecoder { LineDecoder() }

    struct LineDecoder: StreamLineDecoder {
        private var done = false

        mutating func decode(line: [UInt8]) throws(ProviderFailure) -> [ChatStreamEvent] {
            guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return [] }
            let value = try WireJSON.parse(line)
            if let error = value["error"]?.stringValue { throw .brokeOff(error) }
            var events: [ChatStreamEvent] = []
            if let content = value["message"]?["content"]?.stringValue, !content.isEmpty { events.append(.delta(content)) }
            if value["done"]?.boolValue == true {
                done = true
                events.append(.done(usage: OllamaChatWire.usage(value), finishReason: value["done_reason"]?.stringValue ?? "stop"))
            }
            return events
        }

        mutating func end() throws(ProviderFailure) -> [ChatStreamEvent] {
            guard done else { throw .brokeOff("the stream ended before its done line") }
            return []
        }
    }
}
