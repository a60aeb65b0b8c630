import LakehouseKit

/// `POST /v1/extract-role` and `POST /v1/understand`: the regex extractor first; when it finds no
/// role, the `role_extraction` task through chatd; when chatd is down, slow or unsure, `method:
/// "none"` — never an error.
struct RequestUnderstanding: Sendable {
    let extractor = RoleExtractor()
    let parser = RequestParser()
    let calls: PeerCalls
    let config: MatrixConfig

    /// Below this an LLM answer is treated as no answer.
    static let llmMinimumConfidence = 0.5

    func extractRole(_ text: String, requestID: String?) async -> RoleExtraction {
        if let match = extractor.match(text) {
            return RoleExtraction(role: match.role, method: "regex", confidence: match.confidence)
        }
        guard config.llmFallback, let answer = await calls.chatRole(text, timeoutMs: config.chatTimeoutMs, requestID: requestID),
              let role = answer.role?.lowercased(), RoleVocabulary.definition(named: role) != nil,
              answer.confidence.isFinite, answer.confidence >= RequestUnderstanding.llmMinimumConfidence
        else {
            return RoleExtraction(role: nil, method: "none", confidence: 0)
        }
        return RoleExtraction(role: role, method: "llm", confidence: min(1, answer.confidence))
    }

    func understand(_ text: String, requestID: String?) async -> UnderstoodRequest {
        let role = await extractRole(text, requestID: requestID)
        let parsed = parser.parse(text)
        return UnderstoodRequest(text: text, count: parsed.count, role: role.role, roleMethod: role.method, confidence: role.confidence,
                                 city: parsed.city, state: parsed.state, shift: parsed.shift, day: parsed.day)
    }

    /// The place named by a sentence, for retrieve's geography when the request names none.
    func place(_ text: String) -> (city: String?, state: String?) {
        let parsed = parser.parse(text)
        return (parsed.city, parsed.state)
    }
}
