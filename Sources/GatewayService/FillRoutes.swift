import Foundation
import LakehouseKit

/// `POST /v1/fill`: decode and check the command, run the pipeline, encode the answer.
struct FillRoutes: Sendable {
    let pipeline: FillPipeline
    let config: GatewayConfig

    static let maxQueryCharacters = 2_000

    func fill(_ request: HTTPRequest) async throws -> HTTPResponse {
        let command = try decodeCommand(request.body)
        let answer = try await pipeline.run(command, requestID: request.requestID)
        return .json(bytes: try JSONTree.encode(answer))
    }

    /// Strict: an unknown field is a typo that would otherwise be silently ignored.
    func decodeCommand(_ body: [UInt8]) throws(APIError) -> FillCommand {
        // The pull reader on the hot path; JSONCoding only to word the 400 of a body that is not JSON.
        var parsed = JSONParsing.value(body)
        if parsed == nil { parsed = try JSONCoding.decode(JSONValue.self, from: body) }
        guard let object = parsed else { throw APIError.badRequest("request body is not valid JSON") }
        guard let fields = object.objectValue else { throw APIError.badRequest("request body must be a JSON object with a 'query'") }
        if let unknown = fields.keys.sorted().first(where: { !FillCommand.fields.contains($0) }) {
            throw APIError.badRequest("unknown field '\(unknown)'; expected: \(FillCommand.fields.sorted().joined(separator: ", "))")
        }
        let command = try JSONTree.decode(FillCommand.self, from: body)
        let query = command.query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { throw APIError.badRequest("field 'query': must not be empty") }
        guard query.count <= Self.maxQueryCharacters else {
            throw APIError.badRequest("field 'query': longer than \(Self.maxQueryCharacters) characters")
        }
        if let count = command.count, !(1...config.fillMaxCount).contains(count) {
            throw APIError.badRequest("field 'count': must be 1…\(config.fillMaxCount), got \(count)")
        }
        if let attempts = command.maxAttempts, !(1...10).contains(attempts) {
            throw APIError.badRequest("field 'max_attempts': must be 1…10, got \(attempts)")
        }
        if let provider = command.provider, provider.isEmpty {
            throw APIError.badRequest("field 'provider': must not be empty")
        }
        return FillCommand(query: query, count: command.count, provider: command.provider, maxAttempts: command.maxAttempts)
    }
}
