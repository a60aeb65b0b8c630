import Foundation
import LakehouseKit

/// Handlers: decode → domain call → encode; `apiError` is the one place domain errors become statuses.
struct AuditRoutes: Sendable {
    let runner: AuditRunner
    let baselines: BaselineBook

    /// `POST /v1/audit/baselines` (body empty or `{}`).
    func baseline(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Self.requireEmptyObject(request.body)
        let book = baselines
        let result: Result<AuditBaseline, any Error> = await offloaded { Result { try book.take() } }
        switch result {
        case .success(let baseline): return .json(baseline)
        case .failure(let error): throw APIError.internal("baseline could not be written: \(error)")
        }
    }

    /// `POST /v1/audit/full` (body empty or `{}`): always 200 with every phase's status.
    func full(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Self.requireEmptyObject(request.body)
        let report = await runner.run()
        let path = runner.config.paths.auditDirectory + "/last_audit.json"
        try? DurableFile.createDirectory(runner.config.paths.auditDirectory)
        try? DurableFile.atomicReplace(path: path, bytes: JSONCoding.encode(report))
        return .json(report)
    }

    /// `GET /v1/fleet`.
    func fleet(_ request: HTTPRequest) async throws -> HTTPResponse {
        .json(await runner.fleet.view())
    }

    /// These calls take no parameters: an empty body or `{}`; anything else is a 400 naming it.
    static func requireEmptyObject(_ body: [UInt8]) throws(APIError) {
        guard !JSONLinesFile.isBlank(body) else { return }
        let value = try JSONCoding.decode(JSONValue.self, from: body)
        guard let fields = value.objectValue else { throw APIError.badRequest("body: expected a JSON object") }
        if let unknown = fields.keys.sorted().first { throw APIError.badRequest("unknown field '\(unknown)'; this call takes no fields") }
    }
}
