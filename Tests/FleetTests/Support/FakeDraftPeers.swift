import Foundation
import LakehouseKit
import Synchronization

/// One local server standing in for chatd (`POST /v1/chat`, answers from a script) and truthd
/// (`POST /v1/facts`, confirming a fixed set of certifications), speaking their real wire types,
/// so validatord's iterate loop can be driven end to end before the real daemons exist.
final class FakeDraftPeers: Sendable {
    enum ChatAnswer: Sendable {
        case content(String)
        case status(Int, String)
    }

    let server: HTTPServer
    private let script: Mutex<[ChatAnswer]>
    let chatRequests = Mutex<[ChatRequest]>([])
    /// `worker:<id>` → certifications confirmed `true`.
    let confirmed: [String: [String]]

    var address: String { "127.0.0.1:\(server.port)" }

    init(script: [ChatAnswer], confirmed: [String: [String]] = [:]) throws {
        self.script = Mutex(script)
        self.confirmed = confirmed
        var router = Router()
        let box = Box()
        router.post("/v1/chat") { request in try box.value!.chat(request) }
        router.post("/v1/facts") { request in try box.value!.facts(request) }
        server = HTTPServer(configuration: .init(address: try SocketAddress(parsing: "127.0.0.1:0")),
                            dispatcher: RequestDispatcher(router: router, metrics: MetricsRegistry(), logger: Logger(daemon: "fake-peers", level: .error)))
        box.value = self
        try server.start()
    }

    private final class Box: @unchecked Sendable { weak var value: FakeDraftPeers? }

    func stop() async { await server.shutdown(timeoutMs: 500) }

    private func chat(_ request: HTTPRequest) throws -> HTTPResponse {
        let decoded = try JSONCoding.decode(ChatRequest.self, from: request.body)
        chatRequests.withLock { $0.append(decoded) }
        let answer = script.withLock { $0.isEmpty ? ChatAnswer.status(503, "script exhausted") : $0.removeFirst() }
        switch answer {
        case .content(let content):
            return .json(ChatResponse(provider: "fake", model: "fake-1", message: ChatMessage(role: "assistant", content: content),
                                      usage: ChatUsage(promptTokens: 10, completionTokens: 20), latencyMs: 0.5))
        case .status(let code, let message):
            return .error(APIError(status: HTTPStatus(code), code: "fake", message: message), requestID: request.requestID)
        }
    }

    private func facts(_ request: HTTPRequest) throws -> HTTPResponse {
        let decoded = try JSONCoding.decode(FactsBatchRequest.self, from: request.body)
        var facts: [SubjectFacts] = []
        var missing: [String] = []
        for subject in decoded.subjects {
            guard let certifications = confirmed[subject] else {
                missing.append(subject)
                continue
            }
            var attributes: [String: ReconciledFact] = [:]
            for certification in certifications {
                attributes["certification.\(certification)"] = ReconciledFact(value: true, source: "hr_system", rule: "single", conflict: false, claims: [])
            }
            facts.append(SubjectFacts(subject: subject, attributes: attributes))
        }
        return .json(FactsBatchResponse(facts: facts, missing: missing))
    }
}
