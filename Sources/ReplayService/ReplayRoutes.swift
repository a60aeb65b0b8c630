import Foundation
import LakehouseKit

/// Handlers: decode → domain call → encode; `apiError` is the one place domain errors become statuses.
struct ReplayRoutes: Sendable {
    let replayer: Replayer

    /// `POST /v1/replay {"run_ids"?,"limit"?}` (an empty body replays the latest runs).
    func replay(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = JSONLinesFile.isBlank(request.body)
            ? Replayer.Request() : try JSONCoding.decode(Replayer.Request.self, from: request.body)
        do {
            return .json(try await replayer.replay(body))
        } catch {
            throw Self.apiError(error)
        }
    }

    /// `GET /v1/replay/status`: the in-flight replay's progress (runs replayed of those selected),
    /// or the last one's with `running: false`.
    func status(_ request: HTTPRequest) async throws -> HTTPResponse {
        .json(replayer.progress.snapshot)
    }

    /// `GET /v1/replay/runs?limit=&run_id=`.
    func runs(_ request: HTTPRequest) async throws -> HTTPResponse {
        let parameters = request.queryParameters
        if let unknown = parameters.keys.sorted().first(where: { !["limit", "run_id"].contains($0) }) {
            throw APIError.badRequest("unknown query parameter '\(unknown)'; expected: limit, run_id")
        }
        var limit = 100
        if let text = parameters["limit"] {
            guard let value = Int(text), (1...replayer.config.maxLimit).contains(value) else {
                throw APIError.badRequest("limit must be an integer from 1 to \(replayer.config.maxLimit), got '\(text)'")
            }
            limit = value
        }
        do {
            return .json(["runs": try replayer.recorded(limit: limit, runID: parameters["run_id"])])
        } catch {
            throw Self.apiError(error)
        }
    }

    static func apiError(_ error: ReplayError) -> APIError {
        switch error.kind {
        case .badRequest: .badRequest(error.message)
        case .fleetUnavailable:
            { var failure = APIError.unavailable(error.message); failure.headers = [("Retry-After", "1")]; return failure }()
        case .storage: .internal(error.message)
        }
    }
}
