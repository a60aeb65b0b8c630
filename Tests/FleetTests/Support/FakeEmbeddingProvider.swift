import Foundation
import LakehouseKit
import Synchronization

/// A small local server that speaks the real wire protocols of Ollama (`POST /api/embed`) and
/// OpenAI (`POST /v1/embeddings`), so embedd's real provider clients can be exercised end to end.
/// It counts calls and texts, and can be told to delay, fail or answer garbage.
final class FakeEmbeddingProvider: Sendable {
    enum Behaviour: Sendable {
        case normal
        case status(Int, String)
        case garbage
    }

    let server: HTTPServer
    let calls = Atomic<Int>(0)
    let texts = Atomic<Int>(0)
    private let behaviour: Mutex<Behaviour> = Mutex(.normal)
    private let delayMs = Atomic<Int>(0)
    static let dims = 8

    var port: Int { server.port }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() throws {
        var router = Router()
        let box = Box()
        router.edgePost("/api/embed") { request in try await box.value!.answer(request, ollama: true) }
        router.edgePost("/v1/embeddings") { request in try await box.value!.answer(request, ollama: false) }
        server = HTTPServer(configuration: .init(address: try SocketAddress(parsing: "127.0.0.1:0")),
                            dispatcher: RequestDispatcher(router: router, metrics: MetricsRegistry(), logger: Logger(daemon: "fake-provider", level: .error)))
        box.value = self
        try server.start()
    }

    /// Late-bound self for the route closures (the router is built before `self` exists).
    private final class Box: @unchecked Sendable { weak var value: FakeEmbeddingProvider? }

    func set(_ newBehaviour: Behaviour) { behaviour.withLock { $0 = newBehaviour } }
    func setDelay(milliseconds: Int) { delayMs.store(milliseconds, ordering: .relaxed) }
    func stop() async { await server.shutdown(timeoutMs: 500) }

    /// A deterministic vector per text, so tests can check order.
    static func vector(for text: String) -> [Double] {
        (0..<dims).map { dimension in
            var hash = UInt32(dimension + 1)
            for byte in text.utf8 { hash = hash &* 31 &+ UInt32(byte) }
            return Double(hash % 1000) / 1000
        }
    }

    private func answer(_ request: HTTPRequest, ollama: Bool) async throws -> HTTPResponse {
        calls.add(1, ordering: .relaxed)
        let delay = delayMs.load(ordering: .relaxed)
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
        switch behaviour.withLock({ $0 }) {
        case .status(let code, let message):
            return .json(bytes: Array(#"{"error":"\#(message)"}"#.utf8), status: HTTPStatus(code))
        case .garbage:
            return .text("this is not json")
        case .normal:
            break
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
              let model = object["model"] as? String else {
            return .json(bytes: Array(#"{"error":"bad request"}"#.utf8), status: 400)
        }
        let inputs: [String] = (object["input"] as? [String]) ?? [(object["input"] as? String) ?? ""]
        texts.add(inputs.count, ordering: .relaxed)
        let body: [String: Any]
        if ollama {
            body = ["model": model, "embeddings": inputs.map(FakeEmbeddingProvider.vector(for:))]
        } else {
            guard request.headers["Authorization"] == "Bearer test-key" else {
                return .json(bytes: Array(#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#.utf8), status: 401)
            }
            // OpenAI may return data in any order; each item carries its index. Reverse to prove reordering.
            let items = inputs.enumerated().map { ["object": "embedding", "index": $0.offset, "embedding": FakeEmbeddingProvider.vector(for: $0.element)] as [String: Any] }
            body = ["object": "list", "data": Array(items.reversed()), "model": model, "usage": ["prompt_tokens": 1, "total_tokens": 1]]
        }
        return .json(bytes: Array(try JSONSerialization.data(withJSONObject: body)))
    }
}
