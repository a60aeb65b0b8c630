import Foundation
import LakehouseKit

/// Handlers: decode → domain call → encode. The catalog exists once recovery has finished; before
/// that every index route answers 503.
struct IndexRoutes: Sendable {
    let catalog: CatalogHolder
    let config: VectorConfig

    func create(_ request: HTTPRequest) async throws -> HTTPResponse {
        let name = try request.parameter("name")
        let body = try JSONCoding.decode(VectorWire.CreateIndex.self, from: request.body)
        let params = IndexParams(dims: body.dims, metric: body.metric ?? .cosine, m: body.m ?? 16, efConstruction: body.ef_construction ?? 200,
                                 quantization: body.quantization ?? .float)
        let (index, outcome) = try IndexRoutes.mapping { try catalog.get().create(name: name, params: params) }
        return .json(index.stats(), status: outcome == .created ? .created : .ok)
    }

    func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        .json(VectorWire.IndexList(indexes: try catalog.get().list()))
    }

    func stats(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = try IndexRoutes.mapping { try catalog.get().index(named: try request.parameter("name")) }
        return .json(index.stats())
    }

    func deleteIndex(_ request: HTTPRequest) async throws -> HTTPResponse {
        let name = try request.parameter("name")
        try await IndexRoutes.mapping {
            let catalog = try catalog.get()
            _ = try catalog.index(named: name)
            try await catalog.delete(name: name)
        }
        return .json(VectorWire.IndexDeleted(deleted: name))
    }

    /// Streams: items are decoded and applied in batches as the body arrives, so a 100k-item ingest
    /// never holds the whole body (nor a decoded copy of it) in memory. Acknowledged — `upserted` —
    /// only once every item is durable. If an item is bad, the batches before it stay applied.
    func upsert(_ request: HTTPRequest, body: RequestBodyStream) async throws -> HTTPResponse {
        let index = try IndexRoutes.mapping { try catalog.get().index(named: try request.parameter("name")) }
        let items = UpsertItemStream(body: body, maxItems: config.maxBatch)
        let count = try await IndexRoutes.mapping { try await index.upsert(streaming: items, batchSize: 1024) }
        // Written directly: JSONEncoder cost more than the answer is worth on every playbook upsert.
        var writer = JSONWriter(capacity: 32)
        writer.raw("{\"upserted\":")
        writer.number(count)
        writer.raw("}")
        return .json(bytes: writer.bytes)
    }

    func deleteItems(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = try IndexRoutes.mapping { try catalog.get().index(named: try request.parameter("name")) }
        let body = try JSONCoding.decode(VectorWire.DeleteItems.self, from: request.body)
        let count = try await IndexRoutes.mapping { try await index.delete(ids: body.ids) }
        return .json(VectorWire.Deleted(deleted: count))
    }

    func item(_ request: HTTPRequest) async throws -> HTTPResponse {
        let item = try IndexRoutes.mapping {
            try catalog.get().index(named: try request.parameter("name")).item(id: try request.parameter("id"))
        }
        return .json(VectorWire.Item(id: item.id, vector: item.vector, metadata: item.metadata))
    }

    func search(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = try IndexRoutes.mapping { try catalog.get().index(named: try request.parameter("name")) }
        let body = try SearchRequest.decode(request.body)
        let filter = try IndexRoutes.mapping { try body.filter.map { try MetadataFilter(json: $0) } }
        let hits = try IndexRoutes.mapping { try index.search(vector: body.vector, k: body.k ?? 10, ef: body.ef, filter: filter) }
        return .json(bytes: IndexRoutes.encode(hits))
    }

    /// `POST /v1/indexes/search`: every search of the batch in order, each answered like
    /// `/v1/indexes/{name}/search` plus its index's name and live count. One bad search fails the
    /// whole batch with the status it would have had alone, naming its position.
    func searchBatch(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try BatchSearchRequest.decode(request.body)
        let indexes = try catalog.get()
        var writer = JSONWriter(capacity: 64 + body.searches.count * 4096)
        writer.raw("{\"searches\":[")
        for (position, search) in body.searches.enumerated() {
            do throws(VectorError) {
                let index = try indexes.index(named: search.index)
                var filter: MetadataFilter?
                if let json = search.filter { filter = try MetadataFilter(json: json) }
                // decode() guarantees a vector at one of the two levels.
                let hits = try index.search(vector: search.vector ?? body.vector ?? [], k: search.k ?? 10, ef: search.ef, filter: filter)
                if position > 0 { writer.raw(",") }
                writer.raw("{\"index\":")
                writer.string(search.index)
                writer.raw(",\"count\":")
                writer.number(index.count)
                writer.raw(",")
                IndexRoutes.writeResults(hits, into: &writer)
                writer.raw("}")
            } catch {
                throw IndexRoutes.apiError(error, context: "searches[\(position)] (index '\(search.index)')")
            }
        }
        writer.raw("]}")
        return .json(bytes: writer.bytes)
    }

    /// `{"results":[{"id","metadata","score"}]}`, written directly (the search hot path).
    static func encode(_ hits: [SearchHit]) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + hits.count * 128)
        writer.raw("{")
        writeResults(hits, into: &writer)
        writer.raw("}")
        return writer.bytes
    }

    /// `"results":[…]`, the member both search answers share.
    static func writeResults(_ hits: [SearchHit], into writer: inout JSONWriter) {
        writer.raw("\"results\":[")
        for (position, hit) in hits.enumerated() {
            if position > 0 { writer.raw(",") }
            writer.raw("{\"id\":")
            writer.string(hit.id)
            writer.raw(",\"metadata\":")
            writer.rawBytes(hit.metadataJSON)
            writer.raw(",\"score\":")
            writer.number(hit.score)
            writer.raw("}")
        }
        writer.raw("]")
    }

    /// The one place vectord's domain errors become HTTP statuses (async and sync forms).
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as VectorError {
            throw apiError(error)
        }
    }

    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as VectorError {
            throw apiError(error)
        }
    }

    static func apiError(_ error: VectorError) -> APIError {
        apiError(error, context: nil)
    }

    /// With a context, the message starts with it (which search of a batch failed).
    static func apiError(_ error: VectorError, context: String?) -> APIError {
        let message = context.map { "\($0): \(error.description)" } ?? error.description
        return switch error.kind {
        case .badRequest: .badRequest(message)
        case .notFound: .notFound(message)
        case .conflict: .conflict(message)
        case .tooLarge: .payloadTooLarge(message)
        case .unavailable: .unavailable(message)
        case .storage: .internal(message)
        }
    }
}
