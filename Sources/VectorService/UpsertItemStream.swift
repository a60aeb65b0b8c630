import LakehouseKit

/// The `items` of a streamed upsert body, decoded one at a time as their bytes arrive. A bad item
/// is a 400 naming its position; more than `VECTORD_MAX_BATCH` items is a 413. Items are read with
/// LakehouseKit's pull reader: JSONDecoder cost a fifth of vectord's CPU per playbook upsert.
struct UpsertItemStream: AsyncSequence, Sendable {
    typealias Element = VectorItem
    let body: RequestBodyStream
    let maxItems: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var elements: JSONArrayElements<RequestBodyStream>.AsyncIterator
        let maxItems: Int
        var position = 0

        mutating func next() async throws -> VectorItem? {
            let bytes: [UInt8]?
            do {
                bytes = try await elements.next()
            } catch let failure as JSONArrayScanner.Failure {
                throw APIError.badRequest(failure.description)
            }
            guard let bytes else { return nil }
            defer { position += 1 }
            guard position < maxItems else {
                throw APIError.payloadTooLarge("more than \(maxItems) items in one upsert (VECTORD_MAX_BATCH)")
            }
            do throws(APIError) {
                return try UpsertItemStream.item(bytes)
            } catch {
                throw APIError.badRequest("items[\(position)]: \(error.message)")
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(elements: JSONArrayElements(body, field: "items").makeAsyncIterator(), maxItems: maxItems)
    }
}

extension UpsertItemStream {
    /// One `{"id","vector":[…],"metadata"?:{…}|null}` item, as `VectorWire.Item` decodes it: other
    /// fields are ignored; an out-of-range number becomes infinity, which the index rejects by id.
    static func item(_ bytes: [UInt8]) throws(APIError) -> VectorItem {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(APIError) -> VectorItem in
                var reader = JSONReader<APIError>(raw)
                guard try reader.peekKind() == .object else { throw APIError.badRequest("an item must be a JSON object") }
                var id: String?
                var vector: [Float]?
                var metadata: [String: JSONValue] = [:]
                try reader.readObject { (key, reader) throws(APIError) in
                    switch key {
                    case "id":
                        guard try reader.peekKind() == .string else { throw APIError.badRequest("field 'id': expected a string") }
                        id = try reader.readString()
                    case "vector":
                        vector = try SearchRequest.vector(&reader, "vector")
                    case "metadata":
                        switch try reader.peekKind() {
                        case .null: try reader.readNull()
                        case .object:
                            guard case .object(let fields) = try reader.readValue() else { return }
                            metadata = fields
                        default: throw APIError.badRequest("field 'metadata': expected an object")
                        }
                    default:
                        try reader.skipValue()
                    }
                }
                try reader.expectEnd()
                guard let id else { throw APIError.badRequest("missing field 'id'") }
                guard let vector else { throw APIError.badRequest("missing field 'vector'") }
                return VectorItem(id: id, vector: vector, metadata: metadata)
            }
        }.get()
    }
}
