import Foundation
import LakehouseKit
import Synchronization

/// Handlers: decode → domain call → encode, and `apiError`, the one place matrixd's domain errors
/// become HTTP statuses.
struct MatrixRoutes: Sendable {
    let catalog: CorpusCatalog
    let setup: CorpusSetup
    let ingest: CorpusIngest
    let retriever: Retriever
    let playbooks: Playbooks
    let understanding: RequestUnderstanding
    let memory: MemoryHolder
    let config: MatrixConfig

    // MARK: Corpora

    func putCorpus(_ request: HTTPRequest) async throws -> HTTPResponse {
        let name = try request.parameter("name")
        let definition = try JSONCoding.decode(CorpusDefinition.self, from: request.body)
        let (corpus, outcome) = try await MatrixRoutes.mapping { () async throws(MatrixError) in
            try await setup.put(name: name, definition: definition, requestID: request.requestID)
        }
        return .json(MatrixWire.CorpusInfo(corpus, count: nil, indexError: nil), status: outcome == .created ? .created : .ok)
    }

    func listCorpora(_ request: HTTPRequest) async throws -> HTTPResponse {
        var infos: [MatrixWire.CorpusInfo] = []
        for corpus in catalog.list() { infos.append(await info(corpus, requestID: request.requestID)) }
        return .json(MatrixWire.CorpusList(corpora: infos))
    }

    func getCorpus(_ request: HTTPRequest) async throws -> HTTPResponse {
        let name = try request.parameter("name")
        let corpus = try MatrixRoutes.mapping { () throws(MatrixError) in try corpusNamed(name) }
        return .json(await info(corpus, requestID: request.requestID))
    }

    func deleteCorpus(_ request: HTTPRequest) async throws -> HTTPResponse {
        let name = try request.parameter("name")
        let corpus = try await MatrixRoutes.mapping { () async throws(MatrixError) in
            try await setup.delete(name: name, requestID: request.requestID)
        }
        return .json(MatrixWire.CorpusDeleted(deleted: corpus.name, index: corpus.index))
    }

    private func info(_ corpus: Corpus, requestID: String) async -> MatrixWire.CorpusInfo {
        do throws(MatrixError) {
            guard let count = try await ingest.calls.indexCount(corpus.index, requestID: requestID) else {
                return MatrixWire.CorpusInfo(corpus, count: nil, indexError: corpus.missingIndex().description)
            }
            return MatrixWire.CorpusInfo(corpus, count: count, indexError: nil)
        } catch {
            return MatrixWire.CorpusInfo(corpus, count: nil, indexError: error.description)
        }
    }

    private func corpusNamed(_ name: String) throws(MatrixError) -> Corpus {
        guard let corpus = catalog.corpus(named: name) else { throw .notFound("unknown corpus '\(name)'") }
        return corpus
    }

    /// Streams: records are embedded and stored batch by batch as the body arrives.
    func ingestRecords(_ request: HTTPRequest, body: RequestBodyStream) async throws -> HTTPResponse {
        let name = try request.parameter("name")
        let corpus = try MatrixRoutes.mapping { () throws(MatrixError) in try corpusNamed(name) }
        let started = Date()
        let records = JSONArrayElements(body, field: "records", maxElementBytes: config.maxRecordBytes)
        let count = try await MatrixRoutes.mapping { try await ingest.ingest(records, into: corpus, requestID: request.requestID) }
        return .json(MatrixWire.Ingested(corpus: corpus.name, ingested: count, seconds: Date().timeIntervalSince(started)))
    }

    // MARK: Retrieve, playbooks, understanding

    func retrieve(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try JSONTree.decode(RetrieveRequest.self, from: request.body)
        let response = try await MatrixRoutes.mapping { () async throws(MatrixError) in
            try await retriever.retrieve(body, requestID: request.requestID)
        }
        return .json(bytes: MatrixWire.encode(response))
    }

    func recordPlaybook(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try JSONTree.decode(PlaybookRecord.self, from: request.body)
        let recorded = try await MatrixRoutes.mapping { () async throws(MatrixError) in
            try await playbooks.record(body, requestID: request.requestID)
        }
        return .json(bytes: recorded.json, status: .created)
    }

    func extractRole(_ request: HTTPRequest) async throws -> HTTPResponse {
        let text = try MatrixRoutes.text(request)
        return .json(await understanding.extractRole(text, requestID: request.requestID))
    }

    func understand(_ request: HTTPRequest) async throws -> HTTPResponse {
        let text = try MatrixRoutes.text(request)
        return .json(bytes: try JSONTree.encode(await understanding.understand(text, requestID: request.requestID)))
    }

    static func text(_ request: HTTPRequest) throws -> String {
        let text = try JSONTree.decode(MatrixWire.Text.self, from: request.body).text
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw APIError.badRequest("text must not be empty") }
        guard text.utf8.count <= Retriever.maxQueryBytes else { throw APIError.badRequest("text is longer than \(Retriever.maxQueryBytes) bytes") }
        return text
    }

    // MARK: Memory

    func createMemory(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try JSONCoding.decode(MatrixWire.MemoryCreate.self, from: request.body)
        let store = try MatrixRoutes.mapping { () throws(MatrixError) in try memory.get() }
        let version = try await MatrixRoutes.mapping { () async throws(MatrixError) in try await store.create(subject: body.subject, text: body.text) }
        return .json(version, status: .created)
    }

    func updateMemory(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try request.parameter("id")
        let body = try JSONCoding.decode(MatrixWire.MemoryUpdate.self, from: request.body)
        let store = try MatrixRoutes.mapping { () throws(MatrixError) in try memory.get() }
        return .json(try await MatrixRoutes.mapping { () async throws(MatrixError) in try await store.update(id: id, text: body.text) })
    }

    func deleteMemory(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try request.parameter("id")
        let store = try MatrixRoutes.mapping { () throws(MatrixError) in try memory.get() }
        return .json(try await MatrixRoutes.mapping { () async throws(MatrixError) in try await store.delete(id: id) })
    }

    func getMemory(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try request.parameter("id")
        return .json(try MatrixRoutes.mapping { () throws(MatrixError) in try memory.get().latest(id: id) })
    }

    func memoryHistory(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try request.parameter("id")
        return .json(MatrixWire.History(id: id, versions: try MatrixRoutes.mapping { () throws(MatrixError) in try memory.get().history(id: id) }))
    }

    func listMemories(_ request: HTTPRequest) async throws -> HTTPResponse {
        let subject = request.queryParameters["subject"].flatMap { $0.isEmpty ? nil : $0 }
        return .json(MatrixWire.Memories(memories: try MatrixRoutes.mapping { () throws(MatrixError) in try memory.get().current(subject: subject) }))
    }

    func searchMemories(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try JSONCoding.decode(MatrixWire.MemorySearch.self, from: request.body)
        let k = body.k ?? config.defaultK
        guard (1...config.maxK).contains(k) else { throw APIError.badRequest("k must be between 1 and \(config.maxK); got \(k)") }
        guard !body.query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw APIError.badRequest("query must not be empty") }
        let store = try MatrixRoutes.mapping { () throws(MatrixError) in try memory.get() }
        let calls = ingest.calls
        let found = try await MatrixRoutes.mapping { () async throws(MatrixError) in
            try await store.search(subject: body.subject, query: body.query, k: k) { (texts) async throws(MatrixError) in
                try await calls.embed(texts, requestID: request.requestID)
            }
        }
        return .json(MatrixWire.MemoryResults(results: found.map { MatrixWire.ScoredMemory(memory: $0.0, score: $0.1) }))
    }

    // MARK: Errors

    static func mapping<T>(_ body: () async throws(MatrixError) -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch {
            throw apiError(error)
        }
    }

    static func mapping<T>(_ body: () throws(MatrixError) -> T) throws(APIError) -> T {
        do {
            return try body()
        } catch {
            throw apiError(error)
        }
    }

    /// For domain calls that also pass on other errors (a streamed body's own 400/413).
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MatrixError {
            throw apiError(error)
        }
    }

    static func apiError(_ error: MatrixError) -> APIError {
        switch error.kind {
        case .badRequest: .badRequest(error.description)
        case .notFound: .notFound(error.description)
        case .conflict: .conflict(error.description)
        case .tooLarge: .payloadTooLarge(error.description)
        case .unavailable:
            { var failure = APIError.unavailable(error.description); failure.headers = [("Retry-After", "1")]; return failure }()
        case .badGateway: .badGateway(error.description)
        case .storage: .internal(error.description)
        }
    }
}

/// The memory store, which exists once recovery has replayed its log; before that its routes are 503.
final class MemoryHolder: Sendable {
    private let store = Mutex<PathwayMemory?>(nil)

    func set(_ memory: PathwayMemory) { store.withLock { $0 = memory } }

    var current: PathwayMemory? { store.withLock { $0 } }

    func get() throws(MatrixError) -> PathwayMemory {
        guard let memory = current else { throw MatrixError(.unavailable, "pathway memory is still recovering") }
        return memory
    }
}
