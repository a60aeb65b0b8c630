import LakehouseKit

/// Request and response bodies of matrixd's own routes (the shared ones — `RetrieveRequest`,
/// `RetrieveResponse`, `RoleExtraction`, `UnderstoodRequest`, `PlaybookRecord` — live in LakehouseKit).
enum MatrixWire {
    struct Text: Decodable {
        let text: String
    }

    struct MemoryCreate: Decodable {
        let subject: String
        let text: String
    }

    struct MemoryUpdate: Decodable {
        let text: String
    }

    struct MemorySearch: Decodable {
        let subject: String?
        let query: String
        let k: Int?
    }

    struct CorpusInfo: Encodable {
        let name: String
        let index: String
        let text_fields: [String]
        let role_field: String?
        let dims: Int
        /// Records in the corpus's index; nil when vectord could not say.
        let count: Int?
        let index_error: String?

        init(_ corpus: Corpus, count: Int?, indexError: String?) {
            name = corpus.name
            index = corpus.index
            text_fields = corpus.textFields
            role_field = corpus.roleField
            dims = corpus.dims
            self.count = count
            index_error = indexError
        }
    }

    struct CorpusList: Encodable {
        let corpora: [CorpusInfo]
    }

    struct Ingested: Encodable {
        let corpus: String
        let ingested: Int
        let seconds: Double
    }

    struct Memories: Encodable {
        let memories: [MemoryVersion]
    }

    struct History: Encodable {
        let id: String
        let versions: [MemoryVersion]
    }

    struct ScoredMemory: Encodable {
        let memory: MemoryVersion
        let score: Double
    }

    struct MemoryResults: Encodable {
        let results: [ScoredMemory]
    }

    /// The retrieve answer, written directly (the retrieve hot path; keys sorted like the encoder's).
    static func encode(_ response: RetrieveResponse) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + response.results.count * 512)
        writer.raw("{\"gate\":{\"dropped\":")
        writer.number(response.gate.dropped)
        writer.raw("},\"results\":[")
        for (position, hit) in response.results.enumerated() {
            if position > 0 { writer.raw(",") }
            writer.raw("{\"corpus\":")
            writer.string(hit.corpus)
            writer.raw(",\"id\":")
            writer.string(hit.id)
            writer.raw(",\"metadata\":")
            writer.value(hit.metadata)
            writer.raw(",\"score\":")
            writer.number(hit.score)
            writer.raw("}")
        }
        writer.raw("],\"role\":")
        if let role = response.role { writer.string(role) } else { writer.raw("null") }
        writer.raw(",\"role_method\":")
        writer.string(response.roleMethod)
        writer.raw("}")
        return writer.bytes
    }
}
