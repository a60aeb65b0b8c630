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
        /// The embedding model of its vectors; nil for a corpus stored before models were recorded.
        let model: String?
        /// Records in the corpus's index; nil when vectord could not say.
        let count: Int?
        let index_error: String?

        init(_ corpus: Corpus, count: Int?, indexError: String?) {
            name = corpus.name
            index = corpus.index
            text_fields = corpus.textFields
            role_field = corpus.roleField
            dims = corpus.dims
            model = corpus.model
            self.count = count
            index_error = indexError
        }
    }

    struct CorpusList: Encodable {
        let corpora: [CorpusInfo]
    }

    struct CorpusDeleted: Encodable {
        let deleted: String
        let index: String
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

    /// The retrieve answer (a `RetrieveResponse` on the wire), written directly: the retrieve hot
    /// path. Keys sorted like the encoder's; each hit's metadata is vectord's JSON text as it came.
    static func encode(_ answer: Retriever.RetrieveAnswer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + answer.results.reduce(0) { $0 + $1.hit.rawMetadata.count + 96 })
        var writer = JSONWriter()
        writer.raw("{\"gate\":{\"dropped\":")
        writer.number(answer.dropped)
        writer.raw("},\"results\":[")
        out += writer.bytes
        for (position, ranked) in answer.results.enumerated() {
            writer = JSONWriter()
            if position > 0 { writer.raw(",") }
            writer.raw("{\"corpus\":")
            writer.string(ranked.corpus)
            writer.raw(",\"id\":")
            writer.string(ranked.hit.id)
            writer.raw(",\"metadata\":")
            out += writer.bytes
            out += ranked.hit.rawMetadata
            writer = JSONWriter()
            writer.raw(",\"score\":")
            writer.number(ranked.hit.score)
            writer.raw("}")
            out += writer.bytes
        }
        writer = JSONWriter()
        writer.raw("],\"role\":")
        if let role = answer.role { writer.string(role) } else { writer.raw("null") }
        writer.raw(",\"role_method\":")
        writer.string(answer.roleMethod)
        writer.raw("}")
        out += writer.bytes
        return out
    }
}
