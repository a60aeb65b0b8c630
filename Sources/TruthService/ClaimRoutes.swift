import Foundation
import LakehouseKit
import Synchronization

/// The claim store once recovery has opened it; until then every truthd route answers 503.
final class ClaimStoreHolder: Sendable {
    private let store = Mutex<ClaimStore?>(nil)
    func set(_ value: ClaimStore) { store.withLock { $0 = value } }
    var current: ClaimStore? { store.withLock { $0 } }
    func get() throws(TruthError) -> ClaimStore {
        guard let current else { throw .unavailable("truthd is recovering its claims; retry shortly") }
        return current
    }
}

/// Handlers: decode → store / reconciler → encode, with truthd's errors mapped in one place.
struct ClaimRoutes: Sendable {
    let holder: ClaimStoreHolder
    let config: TruthConfig
    let reconciler: Reconciler
    let journal: JournalClient?

    struct Accepted: Encodable { let accepted: Int }

    func claims(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await ClaimRoutes.mapping {
            let store = try holder.get()
            let claims = try ClaimCoding.decodeBatch(request.body, maxBatch: config.maxBatch)
            try await store.append(claims)
            journalIngest(claims.map(\.0), requestID: request.requestID)
            return .json(Accepted(accepted: claims.count))
        }
    }

    /// The streamed bulk form: JSON Lines (one claim per line; `Content-Type: application/x-ndjson`
    /// or `application/jsonl`), or `{"claims":[…]}` streamed. Applied durably in batches of 1,000 as
    /// they arrive; a bad claim is a 400 naming it, and the batches before it stay stored.
    func importClaims(_ request: HTTPRequest, body: RequestBodyStream) async throws -> HTTPResponse {
        try await ClaimRoutes.mapping {
            let store = try holder.get()
            let contentType = request.headers["Content-Type"]?.lowercased() ?? ""
            let lines = contentType.contains("ndjson") || contentType.contains("jsonl")
            var batch: [(Claim, Double)] = []
            var accepted = 0
            func flush() async throws(TruthError) {
                guard !batch.isEmpty else { return }
                try await store.append(batch)
                journalIngest(batch.map(\.0), requestID: request.requestID)
                accepted += batch.count
                batch.removeAll(keepingCapacity: true)
            }
            func add(_ bytes: [UInt8], _ path: String) async throws(TruthError) {
                do {
                    batch.append(try bytes.withUnsafeBytes { raw in try ClaimCoding.decode(raw, path: path) })
                } catch let error as TruthError {
                    throw .invalid("\(error.description) (\(accepted) claims before it were stored)")
                } catch {
                    throw .invalid("\(path): \(error)")
                }
                if batch.count == 1000 { try await flush() }
            }
            if lines {
                var pending: [UInt8] = []
                var lineNumber = 0
                for try await chunk in body {
                    pending.append(contentsOf: chunk)
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        lineNumber += 1
                        let line = Array(pending[..<newline])
                        pending.removeSubrange(...newline)
                        if !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { try await add(line, "line \(lineNumber)") }
                    }
                }
                if !pending.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { try await add(pending, "line \(lineNumber + 1)") }
            } else {
                var index = 0
                do {
                    for try await element in JSONArrayElements(body, field: "claims", maxElementBytes: 1 << 20) {
                        try await add(element, "claims[\(index)]")
                        index += 1
                    }
                } catch let failure as JSONArrayScanner.Failure {
                    throw TruthError.invalid("\(failure.description) (\(accepted) claims before it were stored)")
                }
            }
            try await flush()
            guard accepted > 0 else { throw TruthError.invalid("the import holds no claims") }
            return .json(Accepted(accepted: accepted))
        }
    }

    func facts(_ request: HTTPRequest) async throws -> HTTPResponse {
        try ClaimRoutes.mapping {
            let subject = try request.parameter("subject")
            guard let facts = try facts(subject: subject) else { throw TruthError.notFound("no claims about subject '\(subject)'") }
            return .json(facts)
        }
    }

    struct BatchRequest: Decodable {
        let subjects: [String]
        init(from decoder: any Decoder) throws {
            try JSONCoding.rejectUnknownFields(decoder, allowed: ["subjects"])
            let container = try decoder.container(keyedBy: CodingKeys.self)
            subjects = try container.decode([String].self, forKey: .subjects)
        }
        enum CodingKeys: String, CodingKey { case subjects }
    }

    func factsBatch(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try JSONCoding.decode(BatchRequest.self, from: request.body)
        return try ClaimRoutes.mapping {
            guard !body.subjects.isEmpty else { throw TruthError.invalid("field 'subjects': the list is empty") }
            guard body.subjects.count <= config.maxSubjects else {
                throw TruthError.tooLarge("\(body.subjects.count) subjects in one request; the limit is \(config.maxSubjects) (TRUTHD_MAX_SUBJECTS)")
            }
            var found: [SubjectFacts] = []
            var missing: [String] = []
            for subject in body.subjects {
                if let facts = try facts(subject: subject) { found.append(facts) } else { missing.append(subject) }
            }
            return .json(FactsBatchResponse(facts: found, missing: missing))
        }
    }

    struct ReconcileRequest: Decodable {
        let subject: String
        let attribute: String
        init(from decoder: any Decoder) throws {
            try JSONCoding.rejectUnknownFields(decoder, allowed: ["subject", "attribute"])
            let container = try decoder.container(keyedBy: CodingKeys.self)
            subject = try container.decode(String.self, forKey: .subject)
            attribute = try container.decode(String.self, forKey: .attribute)
        }
        enum CodingKeys: String, CodingKey { case subject, attribute }
    }

    struct Explanation: Encodable {
        struct Step: Encodable {
            let step: Int
            let rule: String
            let detail: String
            let kept: [Claim]
            let eliminated: [Claim]
        }
        let subject: String
        let attribute: String
        let source_priority: [String]
        let fact: ReconciledFact
        let steps: [Step]
    }

    func reconcile(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try JSONCoding.decode(ReconcileRequest.self, from: request.body)
        return try ClaimRoutes.mapping {
            guard let attributes = try holder.get().claims(subject: body.subject) else {
                throw TruthError.notFound("no claims about subject '\(body.subject)'")
            }
            guard let claims = attributes[body.attribute], !claims.isEmpty else {
                throw TruthError.notFound("no claims about attribute '\(body.attribute)' of subject '\(body.subject)'")
            }
            let steps = reconciler.explain(claims).enumerated().map { i, s in
                Explanation.Step(step: i + 1, rule: s.rule.rawValue, detail: s.detail, kept: s.kept.map(\.claim), eliminated: s.eliminated.map(\.claim))
            }
            return .json(Explanation(subject: body.subject, attribute: body.attribute, source_priority: config.sourcePriority,
                                     fact: reconciler.fact(claims), steps: steps))
        }
    }

    private func facts(subject: String) throws(TruthError) -> SubjectFacts? {
        guard let attributes = try holder.get().claims(subject: subject) else { return nil }
        return SubjectFacts(subject: subject, attributes: attributes.mapValues { reconciler.fact($0) })
    }

    /// `truth.claims_ingested`: one journal event per accepted batch (never blocks).
    private func journalIngest(_ claims: [Claim], requestID: String) {
        guard let journal else { return }
        let subjects = Array(Set(claims.map(\.subject))).sorted()
        let sources = Array(Set(claims.map(\.source))).sorted()
        journal.record(JournalEvent(daemon: Daemon.truthd.rawValue, type: "truth.claims_ingested", traceID: requestID.isEmpty ? "truthd" : requestID,
                                    subject: subjects.count == 1 ? subjects[0] : nil,
                                    payload: ["claims": .number(Double(claims.count)), "subjects": .array(subjects.prefix(100).map { .string($0) }),
                                              "subject_count": .number(Double(subjects.count)), "sources": .array(sources.map { .string($0) })]))
    }

    /// The one place truthd's domain errors become HTTP statuses (async and sync forms).
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as TruthError {
            throw apiError(error)
        }
    }

    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TruthError {
            throw apiError(error)
        }
    }

    static func apiError(_ error: TruthError) -> APIError {
        switch error {
        case .invalid(let m): .badRequest(m)
        case .notFound(let m): .notFound(m)
        case .tooLarge(let m): .payloadTooLarge(m)
        case .unavailable(let m): .unavailable(m)
        }
    }
}
