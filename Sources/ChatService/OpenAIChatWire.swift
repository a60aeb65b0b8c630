import LakehouseKit

/// OpenAI's chat-completions protocol, `POST /v1/chat/completions` (OpenRouter, Moonshot's Kimi,
/// OpenCode Zen). Streamed answers are server-sent events: `data: {chunk}` lines whose
/// `choices[0].delta.content` carry the text, a chunk with `usage` (asked for with
/// `stream_options.include_usage`), and `data: [DONE]`. Comment lines (`: OPENROUTER PROCESSING`)
/// are keep-alives. A `data: {"error":…}` event reports a failure mid-stream.
enum OpenAIChatWire: ChatWire {
    static func requestBody(_ call: ChatCall, model: String, stream: Bool) -> [UInt8] {
        var body: [String: JSONValue] = ["model": .string(model), "messages": WireJSON.messages(call.messages), "stream": .bool(stream)]
        if stream { body["stream_options"] = ["include_usage": true] }
        if call.json { body["response_format"] = ["type": "json_object"] }
        if let temperature = call.temperature { body["temperature"] = .number(temperature) }
        if let maxTokens = call.maxTokens { body["max_tokens"] = .number(Double(maxTokens)) }
        return WireJSON.encode(.object(body))
    }

    static func completion(from body: [UInt8]) throws(ProviderFailure) -> ChatCompletion {
        let value = try WireJSON.parse(body)
        if let error = value["error"] { throw .invalidAnswer(error["message"]?.stringValue ?? "provider error") }
        guard let choice = value["choices"]?.arrayValue?.first, let content = choice["message"]?["content"]?.stringValue else {
            throw .invalidAnswer("no choices[0].message.content")
        }
        return ChatCompletion(content: content, usage: usage(value["usage"]), finishReason: choice["finish_reason"]?.stringValue ?? "stop")
    }

    static func usage(_ value: JSONValue?) -> ChatUsage? {
        guard let prompt = value?["prompt_tokens"]?.intValue, let completion = value?["completion_tokens"]?.intValue else { return nil }
        return ChatUsage(promptTokens: prompt, completionTokens: completion)
    }

    static func lineDecoder() -> LineDecoder { LineDecoder() }

    /// Server-sent events (WHATWG HTML §9.2): `data:` lines accumulate until a blank line ends the event.
    struct LineDecoder: StreamLineDecoder {
        private var data: [UInt8] = []
        private var hasData = false
        private var usage: ChatUsage?
        private var finishReason: String?
        private var done = false

        mutating func decode(line: [UInt8]) throws(ProviderFailure) -> [ChatStreamEvent] {
            if line.isEmpty { return try dispatch() }
            if line.first == UInt8(ascii: ":") { return [] }
            guard line.starts(with: "data:".utf8) else { return [] }  // event:, id:, retry: carry nothing we use
            var value = line.dropFirst(5)
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
            return []
        }

        private mutating func dispatch() throws(ProviderFailure) -> [ChatStreamEvent] {
            guard hasData, !done else { return [] }
            let payload = data
            data = []
            hasData = false
            if payload == Array("[DONE]".utf8) {
                done = true
                return [.done(usage: usage, finishReason: finishReason ?? "stop")]
            }
            let value = try WireJSON.parse(payload)
            if let error = value["error"] { throw .brokeOff(error["message"]?.stringValue ?? error.stringValue ?? "provider error") }
            if let reported = OpenAIChatWire.usage(value["usage"]) { usage = reported }
            var events: [ChatStreamEvent] = []
            if let choice = value["choices"]?.arrayValue?.first {
                if let content = choice["delta"]?["content"]?.stringValue, !content.isEmpty { events.append(.delta(content)) }
                if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
            }
            return events
        }

        mutating func end() throws(ProviderFailure) -> [ChatStreamEvent] {
            let events = try dispatch()  // a last event without its blank line
            if done { return events }
            // No [DONE]: complete only if the provider said why it finished.
            guard let finishReason else { throw .brokeOff("the stream ended before [DONE]") }
            done = true
            return events + [.done(usage: usage, finishReason: finishReason)]
        }
    }
}
