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
        return .json(VectorWire.Upserted(upserted: count))
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

    /// `{"results":[{"id","metadata","score"}]}`, written directly (the search hot path).
    static func encode(_ hits: [SearchHit]) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + hits.count * 128)
        writer.raw("{\"results\":[")
        for (position, hit) in hits.enumerated() {
            if position > 0 { writer.raw(",") }
            writer.raw("{\"id\":")
            writer.string(hit.id)
            writer.raw(",\"metadata\":")
            writer.object(hit.metadata)
            writer.raw(",\"score\":")
            writer.number(hit.score)
            writer.raw("}")
        }
        writer.raw("]}")
        return writer.bytes
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
        switch error.kind {
        case .badRequest: .badRequest(error.description)
        case .notFound: .notFound(error.description)
        case .conflict: .conflict(error.description)
        case .tooLarge: .payloadTooLarge(error.description)
        case .unavailable: .unavailable(error.description)
        case .storage: .internal(error.description)
        }
    }
}
