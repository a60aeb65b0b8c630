import LakehouseKit

/// Handler of `POST /v1/iterate`: decode → the loop → encode.
struct IterateRoutes: Sendable {
    let loop: IterateLoop
    let metrics: ValidatorMetrics

    func iterate(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body: IterateRequest
        if let (bare, workers) = WorkerListJSON.decode(IterateRequest.self, from: request.body, workersUnder: "candidates") {
            var whole = bare
            whole.candidates = workers
            body = whole
        } else {
            body = try JSONTree.decode(IterateRequest.self, from: request.body)
        }
        let response = try await ValidationRoutes.mapping { () async throws(ValidatorError) in try await loop.run(body, requestID: request.requestID) }
        metrics.count(response)
        return .json(bytes: try JSONTree.encode(response))
    }
}
