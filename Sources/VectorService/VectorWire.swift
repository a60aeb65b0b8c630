import LakehouseKit

/// Request and response bodies of the vectord API (SPEC §6), as they are on the wire.
enum VectorWire {
    struct CreateIndex: Decodable {
        let dims: Int
        let metric: Metric?
        let m: Int?
        let ef_construction: Int?
        let quantization: Quantization?

        private enum CodingKeys: String, CodingKey, CaseIterable { case dims, metric, m, ef_construction, quantization }

        init(from decoder: any Decoder) throws {
            try JSONCoding.rejectUnknownFields(decoder, allowed: Set(CodingKeys.allCases.map(\.rawValue)))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            dims = try container.decode(Int.self, forKey: .dims)
            metric = try container.decodeIfPresent(Metric.self, forKey: .metric)
            m = try container.decodeIfPresent(Int.self, forKey: .m)
            ef_construction = try container.decodeIfPresent(Int.self, forKey: .ef_construction)
            quantization = try container.decodeIfPresent(Quantization.self, forKey: .quantization)
        }
    }

    struct Item: Codable {
        let id: String
        let vector: [Float]
        let metadata: [String: JSONValue]?
    }

    struct DeleteItems: Decodable {
        let ids: [String]
    }

    struct Deleted: Encodable {
        let deleted: Int
    }

    struct IndexList: Encodable {
        let indexes: [IndexStats]
    }

    struct IndexDeleted: Encodable {
        let deleted: String
    }
}
