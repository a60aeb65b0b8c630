import LakehouseKit

/// Request and response bodies of the vectord API (SPEC §6), as they are on the wire.
enum VectorWire {
    struct CreateIndex: Decodable {
        let dims: Int
        let metric: Metric?
        let m: Int?
        let ef_construction: Int?
        static let fields: Set<String> = ["dims", "metric", "m", "ef_construction"]
    }

    struct Item: Codable {
        let id: String
        let vector: [Float]
        let metadata: [String: JSONValue]?
    }

    struct Upserted: Encodable {
        let upserted: Int
    }

    struct DeleteItems: Decodable {
        let ids: [String]
    }

    struct Deleted: Encodable {
        let deleted: Int
    }

    struct Search: Decodable {
        let vector: [Float]
        let k: Int?
        let ef: Int?
        let filter: JSONValue?
        static let fields: Set<String> = ["vector", "k", "ef", "filter"]
    }

    struct Hit: Encodable {
        let id: String
        let score: Float
        let metadata: [String: JSONValue]
    }

    struct SearchResults: Encodable {
        let results: [Hit]
    }

    struct IndexList: Encodable {
        let indexes: [IndexStats]
    }

    struct IndexDeleted: Encodable {
        let deleted: String
    }
}
