import LakehouseKit

/// Where the iterate loop gets drafts: chatd's `POST /v1/chat` in the daemon, scripted answers in tests.
public protocol DraftSource: Sendable {
    /// One chat answer; a failure names the peer and maps to 4xx/5xx through `ValidatorError`.
    func draft(_ request: ChatRequest, requestID: String?) async throws(ValidatorError) -> ChatResponse
}

/// chatd over HTTP (SPEC §6 chatd `POST /v1/chat`).
public struct ChatdDraftSource: DraftSource {
    let peers: PeerClient

    public init(peers: PeerClient) {
        self.peers = peers
    }

    public func draft(_ request: ChatRequest, requestID: String?) async throws(ValidatorError) -> ChatResponse {
        let body: [UInt8]
        do {
            body = try JSONTree.encode(request)
        } catch {
            throw ValidatorError(.badRequest, "the chat request cannot be encoded: \(error)")
        }
        let response: HTTPClientResponse
        do {
            response = try await peers.send(.chatd, .POST, "/v1/chat", body: body, requestID: requestID)
        } catch {
            switch error {
            case .timeout: throw ValidatorError(.timeout, "chatd did not answer in time: \(error.description)")
            default:
                if error.isPeerDown { throw ValidatorError(.unavailable, "chatd is unavailable: \(error.description)") }
                throw ValidatorError(.badGateway, "chatd failed: \(error.description)")
            }
        }
        guard response.status == .ok else {
            let detail = (try? JSONCoding.decode(ErrorEnvelope.self, from: response.body))?.error.message ?? "status \(response.status.code)"
            switch response.status.code {
            // The caller's own input (an unknown provider or model, a bad range) is a 400 here too.
            case 400, 404, 422: throw ValidatorError(.badRequest, "chatd rejected the draft request: \(detail)")
            case 503: throw ValidatorError(.unavailable, "chatd is unavailable: \(detail)")
            case 504: throw ValidatorError(.timeout, "chatd timed out: \(detail)")
            default: throw ValidatorError(.badGateway, "chatd answered \(response.status.code): \(detail)")
            }
        }
        do {
            return try JSONTree.decode(ChatResponse.self, from: response.body)
        } catch {
            throw ValidatorError(.badGateway, "chatd's answer is not a chat response: \(error.message)")
        }
    }
}
