import Foundation
import LakehouseKit

/// `lakehouse fake-chat-provider --port N`: benchmark tooling, a stand-in model provider that
/// answers OpenAI's `POST /v1/chat/completions` (and Ollama's `POST /api/chat`) at once with a
/// fixed answer and fixed usage, so a benchmark measures what sits between a client and the
/// provider, not a model. Runs until SIGTERM/SIGINT.
struct FakeChatServer {
    static let content = "Hello from the fake provider"
    let port: Int

    init(arguments: [String]) throws {
        guard arguments.count == 2, arguments[0] == "--port", let port = Int(arguments[1]) else {
            throw ConfigError("usage: lakehouse fake-chat-provider --port N")
        }
        self.port = port
    }

    func run() async throws {
        let openAI = Array(#"{"choices":[{"finish_reason":"stop","index":0,"message":{"content":"\#(FakeChatServer.content)","role":"assistant"}}],"created":1700000000,"id":"chatcmpl-bench","model":"bench-model","object":"chat.completion","usage":{"completion_tokens":6,"prompt_tokens":12,"total_tokens":18}}"#.utf8)
        let ollama = Array(#"{"done":true,"done_reason":"stop","eval_count":6,"message":{"content":"\#(FakeChatServer.content)","role":"assistant"},"model":"bench-model","prompt_eval_count":12}"#.utf8)
        var router = Router()
        router.inline(.POST, "/v1/chat/completions") { _ in .json(bytes: openAI) }
        router.inline(.POST, "/api/chat") { _ in .json(bytes: ollama) }
        let server = HTTPServer(configuration: .init(address: try SocketAddress(parsing: "127.0.0.1:\(port)")),
                                dispatcher: RequestDispatcher(router: router, metrics: MetricsRegistry(), logger: Logger(daemon: "fake-chat-provider", level: .error)))
        let shutdown = ShutdownSignal()
        try server.start()
        _ = await shutdown.wait()
        await server.shutdown(timeoutMs: 1_000)
    }
}
