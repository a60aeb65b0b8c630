import Foundation
import LakehouseKit

/// Handlers: decode → domain call → encode; `apiError` is the one place domain errors become statuses.
struct MaterializerRoutes: Sendable {
    let materializer: Materializer
    let exporter: Exporter

    struct MaterializeBody: Decodable {
        let dryRun: Bool?
        enum CodingKeys: String, CodingKey { case dryRun = "dry_run" }

        init(from decoder: any Decoder) throws {
            try JSONCoding.rejectUnknownFields(decoder, allowed: ["dry_run"])
            dryRun = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Bool.self, forKey: .dryRun)
        }
    }

    /// `POST /v1/materialize {"dry_run"?}` (an empty body means `{}`).
    func materialize(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = JSONLinesFile.isBlank(request.body)
            ? MaterializeBody?.none : try JSONCoding.decode(MaterializeBody.self, from: request.body)
        let summary = try await Self.mapping { try await materializer.materialize(dryRun: body?.dryRun ?? false) }
        return .json(summary)
    }

    /// `POST /v1/export/{kind}` with kind `sft`, `rag` or `preference`; the body, if any, must be `{}`.
    func export(_ request: HTTPRequest) async throws -> HTTPResponse {
        let name = try request.parameter("kind")
        guard let kind = ExportKind(rawValue: name) else {
            throw APIError.notFound("unknown export kind '\(name)'; expected one of sft, rag, preference")
        }
        if !JSONLinesFile.isBlank(request.body) {
            let value = try JSONCoding.decode(JSONValue.self, from: request.body)
            guard let fields = value.objectValue else { throw APIError.badRequest("body: expected a JSON object") }
            if let unknown = fields.keys.sorted().first { throw APIError.badRequest("unknown field '\(unknown)'; an export takes no fields") }
        }
        let exporter = self.exporter
        let summary = try await Self.mapping {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ExportSummary, any Error>) in
                DispatchQueue.global().async { continuation.resume(with: Result { try exporter.export(kind) }) }
            }
        }
        return .json(summary)
    }

    /// `GET /v1/materialize/status`: the in-flight materialization's progress (journal events read of
    /// those to read, runs resolved), or the last one's with `running: false`.
    func status(_ request: HTTPRequest) async throws -> HTTPResponse {
        .json(materializer.progress.snapshot)
    }

    /// `GET /v1/materialize/summary`: the last materialization's summary (404 before the first).
    func lastSummary(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let bytes = FileManager.default.contents(atPath: materializer.config.paths.summary) else {
            throw APIError.notFound("no materialization has run yet")
        }
        return .json(bytes: Array(bytes))
    }

    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MaterializerError {
            throw apiError(error)
        }
    }

    static func apiError(_ error: MaterializerError) -> APIError {
        switch error.kind {
        case .badRequest: .badRequest(error.message)
        case .notFound: .notFound(error.message)
        case .busy: .conflict(error.message)
        case .journalUnavailable:
            { var failure = APIError.unavailable(error.message); failure.headers = [("Retry-After", "1")]; return failure }()
        case .storage: .internal(error.message)
        }
    }
}
