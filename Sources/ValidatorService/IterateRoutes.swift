import LakehouseKit

/// Handler of `POST /v1/iterate`: decode → the loop → encode.
struct IterateRoutes: Sendable {
    let loop: IterateLoop
    let metrics: ValidatorMetrics

    func iterate(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try JSONTree.decode(IterateRequest.self, from: request.body)
        let response = try await ValidationRoutes.mapping { () async throws(ValidatorError) in try await loop.run(body, requestID: request.requestID) }
        metrics.count(response)
        return .json(bytes: try JSONTree.encode(response))
    }
}
