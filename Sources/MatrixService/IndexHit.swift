import LakehouseKit

/// One hit of one vectord search. Only the metadata fields ranking reads are parsed (`metadata`);
/// the whole metadata object stays the bytes vectord sent (`rawMetadata`) and is copied into the
/// retrieve answer as it is: building a dictionary per worker record for the 30-odd hits of every
/// retrieve cost more than the rest of matrixd's work on it.
struct IndexHit: Sendable {
    let id: String
    var score: Double
    /// The ranking fields present in the record (see `rankingFields`).
    let metadata: [String: JSONValue]
    /// The record's whole metadata object, JSON text.
    let rawMetadata: [UInt8]

    /// Geography (`state`, `lat`, `lon`) and a playbook's `outcome` and `worker_ids`; the corpus's
    /// role field is added per search.
    static let rankingFields: Set<String> = ["state", "lat", "lon", "outcome", "worker_ids"]

    init(id: String, score: Double, metadata: [String: JSONValue], rawMetadata: [UInt8]) {
        self.id = id
        self.score = score
        self.metadata = metadata
        self.rawMetadata = rawMetadata
    }

    init(id: String, score: Double, metadata: [String: JSONValue]) {
        var writer = JSONWriter()
        writer.object(metadata)
        self.init(id: id, score: score, metadata: metadata, rawMetadata: writer.bytes)
    }

    /// The hits of vectord's search answer `{"results":[{"id","metadata","score"}]}`, keeping
    /// `fields` of each metadata object parsed. A result without a string id or a numeric score is
    /// skipped; metadata that is not an object counts as `{}`.
    static func decode(searchAnswer body: [UInt8], keeping fields: Set<String>) throws(MatrixError) -> [IndexHit] {
        let decoded = body.withUnsafeBytes { raw in
            Result { () throws(APIError) -> [IndexHit]? in try decode(raw, keeping: fields) }
        }
        switch decoded {
        case .success(let hits?): return hits
        case .success(nil): throw MatrixError(.badGateway, "vectord's search answer has no results")
        case .failure(let error): throw MatrixError(.badGateway, "vectord's search answer is not valid JSON: \(error.message)")
        }
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, keeping fields: Set<String>) throws(APIError) -> [IndexHit]? {
        var reader = JSONReader<APIError>(raw)
        var hits: [IndexHit]?
        guard try reader.peekKind() == .object else { throw APIError.badRequest("expected an object") }
        try reader.readObject { (key, reader) throws(APIError) in
            guard key == "results", try reader.peekKind() == .array else { return try reader.skipValue() }
            var found: [IndexHit] = []
            try reader.readArray { (_, reader) throws(APIError) in
                guard try reader.peekKind() == .object else { return try reader.skipValue() }
                var id: String?
                var score: Double?
                var picked: [String: JSONValue] = [:]
                var metadata: [UInt8] = [UInt8(ascii: "{"), UInt8(ascii: "}")]
                try reader.readObject { (key, reader) throws(APIError) in
                    let kind = try reader.peekKind()
                    switch (key, kind) {
                    case ("id", .string): id = try reader.readString()
                    case ("score", .number): score = try reader.readDouble()
                    case ("metadata", .object):
                        let start = reader.offset
                        try reader.readObject { (field, reader) throws(APIError) in
                            if fields.contains(field) { picked[field] = try reader.readValue() } else { try reader.skipValue() }
                        }
                        metadata = Array(raw[start..<reader.offset])
                    default: try reader.skipValue()
                    }
                }
                if let id, let score { found.append(IndexHit(id: id, score: score, metadata: picked, rawMetadata: metadata)) }
            }
            hits = found
        }
        try reader.expectEnd()
        return hits
    }
}
