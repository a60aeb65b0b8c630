import LakehouseKit
import Testing
@testable import ChatService

/// The providers' wire formats, checked against the shapes their documentation shows.
@Suite struct ChatWireTests {
    private func decode<Decoder: StreamLineDecoder>(_ decoder: Decoder, _ text: String, pieceSize: Int) throws(ProviderFailure) -> [ChatStreamEvent] {
        var decoder = decoder
        var splitter = LineSplitter()
        var events: [ChatStreamEvent] = []
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            for line in try splitter.feed(Array(bytes[offset..<min(offset + pieceSize, bytes.count)])) { events += try decoder.decode(line: line) }
            offset += pieceSize
        }
        if let last = splitter.finish() { events += try decoder.decode(line: last) }
        return events + (try decoder.end())
    }

    static let openAIStream = """
        : OPENROUTER PROCESSING\r
        \r
        data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

        data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}

        event: message
        data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"lo ✓"},"finish_reason":null}]}

        data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

        data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}

        data: [DONE]


        """

    @Test func openAIEventsDecodeWhateverTheReadBoundaries() throws {
        for size in [1, 3, 7, 64, 10_000] {
            let events = try decode(OpenAIChatWire.lineDecoder(), ChatWireTests.openAIStream, pieceSize: size)
            #expect(events == [.delta("Hel"), .delta("lo ✓"), .done(usage: ChatUsage(promptTokens: 9, completionTokens: 2), finishReason: "stop")], "size \(size)")
        }
    }

    @Test func openAIStreamFailuresAreReported() throws {
        let midStreamError = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"error\":{\"message\":\"overloaded\"}}\n\n"
        #expect(throws: ProviderFailure.brokeOff("overloaded")) { try decode(OpenAIChatWire.lineDecoder(), midStreamError, pieceSize: 5) }
        let cut = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
        #expect(throws: ProviderFailure.brokeOff("the stream ended before [DONE]")) { try decode(OpenAIChatWire.lineDecoder(), cut, pieceSize: 5) }
        // Some servers omit [DONE] but say why they finished: complete.
        let noDone = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"},\"finish_reason\":\"length\"}]}\n\n"
        #expect(try decode(OpenAIChatWire.lineDecoder(), noDone, pieceSize: 4) == [.delta("a"), .done(usage: nil, finishReason: "length")])
        // A multi-line data field joins with a newline (WHATWG HTML §9.2.6).
        let multi = "data: {\"choices\":[{\"delta\":\ndata: {\"content\":\"x\"}}]}\n\ndata: [DONE]\n\n"
        #expect(try decode(OpenAIChatWire.lineDecoder(), multi, pieceSize: 3) == [.delta("x"), .done(usage: nil, finishReason: "stop")])
        #expect(throws: ProviderFailure.self) { try decode(OpenAIChatWire.lineDecoder(), "data: {not json\n\n", pieceSize: 3) }
    }

    @Test func ollamaNDJSONDecodes() throws {
        let stream = """
            {"model":"llama3.1","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant","content":"The"},"done":false}
            {"model":"llama3.1","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant","content":" sky"},"done":false}
            {"model":"llama3.1","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":1,"prompt_eval_count":26,"eval_count":290}

            """
        for size in [1, 13, 4096] {
            #expect(try decode(OllamaChatWire.lineDecoder(), stream, pieceSize: size)
                    == [.delta("The"), .delta(" sky"), .done(usage: ChatUsage(promptTokens: 26, completionTokens: 290), finishReason: "stop")])
        }
        #expect(throws: ProviderFailure.brokeOff("model crashed")) {
            try decode(OllamaChatWire.lineDecoder(), "{\"message\":{\"content\":\"a\"},\"done\":false}\n{\"error\":\"model crashed\"}\n", pieceSize: 8)
        }
        #expect(throws: ProviderFailure.brokeOff("the stream ended before its done line")) {
            try decode(OllamaChatWire.lineDecoder(), "{\"message\":{\"content\":\"a\"},\"done\":false}\n", pieceSize: 8)
        }
    }

    @Test func requestBodiesAreTheProvidersOwnShapes() throws {
        let call = ChatCall(provider: nil, model: nil, messages: [ChatMessage(role: "user", content: "hi")], temperature: 0.2, maxTokens: 50,
                            json: true, stream: true, includeUsage: false)
        let ollama = try WireJSON.parse(OllamaChatWire.requestBody(call, model: "llama3.1", stream: true))
        #expect(ollama == ["model": "llama3.1", "messages": [["role": "user", "content": "hi"]], "stream": true, "format": "json",
                           "options": ["temperature": 0.2, "num_predict": 50]])
        let openAI = try WireJSON.parse(OpenAIChatWire.requestBody(call, model: "gpt", stream: true))
        #expect(openAI == ["model": "gpt", "messages": [["role": "user", "content": "hi"]], "stream": true, "stream_options": ["include_usage": true],
                           "response_format": ["type": "json_object"], "temperature": 0.2, "max_tokens": 50])
    }

    @Test func plainAnswersParse() throws {
        let openAI = #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#
        #expect(try OpenAIChatWire.completion(from: Array(openAI.utf8)) == ChatCompletion(content: "Hi", usage: ChatUsage(promptTokens: 3, completionTokens: 1), finishReason: "stop"))
        let ollama = #"{"model":"m","message":{"role":"assistant","content":"Yo"},"done":true,"done_reason":"stop","prompt_eval_count":4,"eval_count":2}"#
        #expect(try OllamaChatWire.completion(from: Array(ollama.utf8)) == ChatCompletion(content: "Yo", usage: ChatUsage(promptTokens: 4, completionTokens: 2), finishReason: "stop"))
        #expect(throws: ProviderFailure.self) { try OpenAIChatWire.completion(from: Array(#"{"choices":[]}"#.utf8)) }
        #expect(ProviderTransport.retryAfter("7") == 7 && ProviderTransport.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(ProviderTransport.errorMessage(Array(#"{"error":{"message":"quota"}}"#.utf8)) == "quota")
        #expect(ProviderTransport.errorMessage(Array(#"{"error":"no model"}"#.utf8)) == "no model")
    }

    @Test func keysAreRedactedFromFailures() {
        let failure = ProviderFailure.status(401, retryAfterSeconds: nil, message: "Incorrect API key provided: sk-abc123")
        #expect(failure.redacting("sk-abc123").description == "HTTP 401: Incorrect API key provided: [redacted]")
        #expect(ProviderFailure.brokeOff("sk-abc123 leaked").redacting("sk-abc123") == .brokeOff("[redacted] leaked"))
    }

    @Test func overlongLineIsRefused() {
        var splitter = LineSplitter()
        #expect(throws: ProviderFailure.self) { try splitter.feed([UInt8](repeating: 65, count: LineSplitter.maxLineBytes + 1)) }
    }
}
