import Foundation
import LakehouseKit

/// Handlers of `/v1/validate`, `/v1/roster` and `/v1/roster/reload`: decode → domain → encode.
struct ValidationRoutes: Sendable {
    let roster: RosterHolder
    let validator: DraftValidator
    let defaultRosterPath: String
    let metrics: ValidatorMetrics

    /// `POST /v1/validate`, on the event loop: roster-only validations (every e-mail, fills whose
    /// role needs no certification) are answered right here; a fill truthd must confirm hops to a task.
    func validate(_ request: HTTPRequest, loop: EventLoop, respond: @escaping @Sendable (Result<HTTPResponse, any Error>) -> Void) {
        let body: ValidateBody
        let snapshot: CompactRoster
        do {
            body = try JSONTree.decode(ValidateBody.self, from: request.body)
            snapshot = try roster.snapshot()
        } catch let error as ValidatorError {
            respond(.failure(error.apiError))
            return
        } catch {
            respond(.failure(error))
            return
        }
        switch body.payload {
        case .email(let email):
            // ValidateBody guarantees context.fill for e-mails.
            let violations = validator.validateEmail(email, fill: body.context!.fill!, roster: snapshot)
            metrics.emailValidations.increment()
            metrics.count(violations)
            respond(.success(.json(bytes: ValidateBody.encode(violations))))
        case .fill(let fill):
            let check = validator.checkFill(fill, context: body.context, roster: snapshot)
            metrics.fillValidations.increment()
            if check.pending.isEmpty {
                metrics.count(check.violations)
                respond(.success(.json(bytes: ValidateBody.encode(check.violations))))
                return
            }
            let validator = self.validator, metrics = self.metrics
            let requestID = request.requestID
            loop.runTask({ await validator.finish(check, requestID: requestID) },
                         then: { result in
                             if case .success(let violations) = result { metrics.count(violations) }
                             respond(result.map { .json(bytes: ValidateBody.encode($0)) })
                         })
        }
    }

    struct ReloadBody: Decodable {
        let path: String?
    }

    struct RosterStats: Encodable {
        let workers: Int
        let path: String?
        let loaded_at: String?
        let load_ms: Double?
        let memory_bytes: Int
        let reloads: Int
    }

    /// `POST /v1/roster/reload {"path"?}`: the new roster replaces the old one whole, or not at all.
    func reload(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = request.body.isEmpty ? ReloadBody(path: nil) : try JSONCoding.decode(ReloadBody.self, from: request.body)
        if let path = body.path, path.isEmpty { throw APIError.badRequest("field 'path' is empty") }
        let previous = roster.current.count
        let loaded = try await Self.mapping { () async throws(ValidatorError) in try await roster.reload(path: body.path ?? defaultRosterPath, record: true) }
        struct Reloaded: Encodable {
            let workers: Int
            let previous_workers: Int
            let path: String
            let load_ms: Double
            let memory_bytes: Int
        }
        return .json(Reloaded(workers: loaded.roster.count, previous_workers: previous, path: loaded.path,
                              load_ms: (loaded.loadSeconds * 1e6).rounded() / 1e3, memory_bytes: loaded.roster.memoryBytes))
    }

    /// `GET /v1/roster`: what is loaded.
    func stats(_ request: HTTPRequest) throws -> HTTPResponse {
        let loaded = roster.loaded
        return .json(RosterStats(workers: roster.current.count, path: loaded?.path,
                                 loaded_at: loaded.map { ISO8601DateFormatter().string(from: $0.loadedAt) },
                                 load_ms: loaded.map { ($0.loadSeconds * 1e6).rounded() / 1e3 }, memory_bytes: roster.current.memoryBytes,
                                 reloads: roster.reloads.value))
    }

    /// The one place validatord's domain errors become the error envelope.
    static func mapping<T>(_ body: () async throws(ValidatorError) -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch {
            throw error.apiError
        }
    }
}
