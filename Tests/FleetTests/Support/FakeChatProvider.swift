import Foundation
import LakehouseKit
import Synchronization

/// A small local server that speaks the real chat wire protocols: Ollama's `POST /api/chat`
/// (one JSON answer, or an NDJSON stream) and OpenAI's `POST …/v1/chat/completions` (one JSON
/// answer, or server-sent events ending in `data: [DONE]`), at the paths the real services use
/// (`/api/v1/…` for OpenRouter, `/zen/v1/…` for OpenCode Zen). It records every request (path,
/// headers, body) for the test to check, and can be told to fail in the ways providers fail.
final class FakeChatProvider: Sendable {
    enum Behaviour: Sendable, Equatable {
        case normal
        /// Answer with this status and an error body (`Retry-After` when given).
        case status(Int, retryAfter: Int?)
        /// A streamed answer whose connection drops after the head, before any event.
        case dropBeforeFirstChunk
        /// A streamed answer that sends two pieces and then breaks off.
        case breakMidStream
        /// Echo the key back in a 401 error, as some APIs do (chatd must redact it).
        case echoKey
    }

    /// One scripted answer, used (first in, first out) before the ordinary one: the drafts of a
    /// test that needs particular model output (a non-JSON draft, a flawed one, then a fixed one).
    enum Scripted: Sendable, Equatable {
        /// Answer with exactly this content (whatever the request asked, JSON mode included).
        case content(String)
        /// Answer with this status and an error body.
        case status(Int)
    }

    struct Recorded: Sendable {
        let path: String
        let headers: [String: String]
        let bytes: [UInt8]
        var body: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:] }
        var stream: Bool { body["stream"] as? Bool ?? false }
    }

    static let pieces = ["Hello", " from", " the fake"]
    static var answer: String { pieces.joined() }
    static let jsonAnswer = #"{"ok":true}"#
    /// Usage the fake reports: OpenAI's prompt/completion tokens, Ollama's eval counts.
    static let openAIUsage = (prompt: 11, completion: 7)
    static let ollamaUsage = (prompt: 13, completion: 5)

    let server: HTTPServer
    let name: String
    let expectedKey: String?
    let calls = Atomic<Int>(0)
    private let behaviour: Mutex<Behaviour> = Mutex(.normal)
    private let delayMs = Atomic<Int>(0)
    private let log = Mutex<[Recorded]>([])
    private let scripted = Mutex<[Scripted]>([])
    /// When set, a stream waits after its first piece until `openGate()` (the unbuffered-relay test).
    private let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let gated = Atomic<Bool>(false)
    private let gateOpened = Atomic<Bool>(false)

    var port: Int { server.port }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(name: String, expectedKey: String? = nil) throws {
        self.name = name
        self.expectedKey = expectedKey
        var router = Router()
        let box = Box()
        router.edgePost("/api/chat") { try await box.value!.answer($0, ollama: true) }
        for path in ["/v1/chat/completions", "/api/v1/chat/completions", "/zen/v1/chat/completions"] {
            router.edgePost(path) { try await box.value!.answer($0, ollama: false) }
        }
        server = HTTPServer(configuration: .init(address: try SocketAddress(parsing: "127.0.0.1:0")),
                            dispatcher: RequestDispatcher(router: router, metrics: MetricsRegistry(), logger: Logger(daemon: "fake-chat", level: .error)))
        box.value = self
        try server.start()
    }

    private final class Box: @unchecked Sendable { weak var value: FakeChatProvider? }

    func set(_ newBehaviour: Behaviour) { behaviour.withLock { $0 = newBehaviour } }
    /// Queues answers for the next calls (after the key check); when they run out, `behaviour` again.
    func script(_ answers: [Scripted]) { scripted.withLock { $0 += answers } }
    func setDelay(milliseconds: Int) { delayMs.store(milliseconds, ordering: .relaxed) }
    func holdStreamsAfterFirstPiece() { gated.store(true, ordering: .relaxed) }
    func openGate() {
        gateOpened.store(true, ordering: .relaxed)
        gate.withLock { continuation in
            continuation?.resume()
            continuation = nil
        }
    }
    var requests: [Recorded] { log.withLock { $0 } }
    var callCount: Int { calls.load(ordering: .relaxed) }
    func stop() async { await server.shutdown(timeoutMs: 500) }

    private func answer(_ request: HTTPRequest, ollama: Bool) async throws -> HTTPResponse {
        calls.add(1, ordering: .relaxed)
        var headers: [String: String] = [:]
        for name in ["Authorization", "HTTP-Referer", "X-Title", "Content-Type"] { headers[name] = request.headers[name] }
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        let recorded = Recorded(path: request.path, headers: headers, bytes: request.body)
        log.withLock { $0.append(recorded) }
        let delay = delayMs.load(ordering: .relaxed)
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }

        if let expectedKey, request.headers["Authorization"] != "Bearer \(expectedKey)" {
            return error(401, "missing or wrong key", ollama: ollama)
        }
        let next = scripted.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        if case .status(let code)? = next { return error(code, "fake \(name) failing with \(code)", ollama: ollama) }
        switch next == nil ? behaviour.withLock({ $0 }) : .normal {
        case .status(let code, let retryAfter):
            var response = error(code, "fake \(name) failing with \(code)", ollama: ollama)
            if let retryAfter { response.headers.set("Retry-After", String(retryAfter)) }
            return response
        case .echoKey:
            return error(401, "Incorrect API key provided: \(request.headers["Authorization"] ?? "")", ollama: ollama)
        case .normal, .dropBeforeFirstChunk, .breakMidStream:
            break
        }
        guard let messages = body["messages"] as? [[String: Any]], !messages.isEmpty, body["model"] is String else {
            return error(400, "messages and model are required", ollama: ollama)
        }
        let wantsJSON = ollama ? body["format"] as? String == "json" : (body["response_format"] as? [String: Any])?["type"] as? String == "json_object"
        var pieces = wantsJSON ? [FakeChatProvider.jsonAnswer] : FakeChatProvider.pieces
        if case .content(let text)? = next { pieces = [text] }
        let model = body["model"] as! String
        guard recorded.stream else {
            let object: [String: Any] = ollama
                ? ["model": model, "created_at": "2026-01-01T00:00:00Z", "message": ["role": "assistant", "content": pieces.joined()], "done": true,
                   "done_reason": "stop", "prompt_eval_count": FakeChatProvider.ollamaUsage.prompt, "eval_count": FakeChatProvider.ollamaUsage.completion]
                : ["id": "chatcmpl-fake", "object": "chat.completion", "created": 1_700_000_000, "model": model,
                   "choices": [["index": 0, "message": ["role": "assistant", "content": pieces.joined()], "finish_reason": "stop"]],
                   "usage": ["prompt_tokens": FakeChatProvider.openAIUsage.prompt, "completion_tokens": FakeChatProvider.openAIUsage.completion,
                             "total_tokens": FakeChatProvider.openAIUsage.prompt + FakeChatProvider.openAIUsage.completion]]
            return .json(bytes: Array(try JSONSerialization.data(withJSONObject: object)))
        }
        let stream = ResponseBodyStream()
        let mode = next == nil ? behaviour.withLock { $0 } : .normal
        Task { await self.writeStream(stream, pieces: pieces, model: model, ollama: ollama, mode: mode) }
        return .streaming(stream, contentType: ollama ? "application/x-ndjson" : "text/event-stream")
    }

    private func writeStream(_ stream: ResponseBodyStream, pieces: [String], model: String, ollama: Bool, mode: Behaviour) async {
        func line(_ object: [String: Any]) -> [UInt8] {
            let json = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map(Array.init) ?? []
            return ollama ? json + [0x0A] : Array("data: ".utf8) + json + Array("\n\n".utf8)
        }
        func piece(_ text: String) -> [UInt8] {
            ollama ? line(["model": model, "created_at": "2026-01-01T00:00:00Z", "message": ["role": "assistant", "content": text], "done": false])
                : line(["id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
                        "choices": [["index": 0, "delta": ["content": text], "finish_reason": NSNull()]]])
        }
        do {
            if mode == .dropBeforeFirstChunk {
                try await Task.sleep(nanoseconds: 20_000_000)
                stream.abort()
                return
            }
            if !ollama { try await stream.write(Array(": OPENROUTER PROCESSING\n\n".utf8)) }
            for (index, text) in pieces.enumerated() {
                try await stream.write(piece(text))
                if index == 0 && gated.load(ordering: .relaxed) && !gateOpened.load(ordering: .relaxed) {
                    await withCheckedContinuation { continuation in
                        let resumeNow = gate.withLock { gate -> Bool in
                            if gateOpened.load(ordering: .relaxed) { return true }
                            gate = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                }
                if mode == .breakMidStream && index == 1 {
                    try await Task.sleep(nanoseconds: 20_000_000)
                    stream.abort()
                    return
                }
            }
            if ollama {
                try await stream.write(line(["model": model, "created_at": "2026-01-01T00:00:00Z", "message": ["role": "assistant", "content": ""], "done": true,
                                             "done_reason": "stop", "prompt_eval_count": FakeChatProvider.ollamaUsage.prompt,
                                             "eval_count": FakeChatProvider.ollamaUsage.completion]))
            } else {
                try await stream.write(line(["id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
                                             "choices": [["index": 0, "delta": [String: Any](), "finish_reason": "stop"]]]))
                try await stream.write(line(["id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model, "choices": [Any](),
                                             "usage": ["prompt_tokens": FakeChatProvider.openAIUsage.prompt, "completion_tokens": FakeChatProvider.openAIUsage.completion,
                                                       "total_tokens": FakeChatProvider.openAIUsage.prompt + FakeChatProvider.openAIUsage.completion]]))
                try await stream.write(Array("data: [DONE]\n\n".utf8))
            }
            stream.finish()
        } catch {
            stream.abort()
        }
    }

    private func error(_ status: Int, _ message: String, ollama: Bool) -> HTTPResponse {
        let object: [String: Any] = ollama ? ["error": message] : ["error": ["message": message, "type": "invalid_request_error"]]
        return .json(bytes: Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data()), status: HTTPStatus(status))
    }
}
