import LakehouseKit

/// `POST /v1/indexes/{name}/search`, read with LakehouseKit's pull reader: a 384-float query
/// vector decoded through JSONDecoder cost more than the graph search itself.
struct SearchRequest {
    var vector: [Float] = []
    var k: Int?
    var ef: Int?
    var filter: JSONValue?

    static func decode(_ body: [UInt8]) throws(APIError) -> SearchRequest {
        guard !body.isEmpty else { throw APIError.badRequest("request body is empty; expected a JSON object") }
        return try body.withUnsafeBytes { raw in
            Result { () throws(APIError) -> SearchRequest in try decode(raw) }
        }.get()
    }

    static func decode(_ raw: UnsafeRawBufferPointer) throws(APIError) -> SearchRequest {
        var reader = JSONReader<APIError>(raw)
        var request = SearchRequest()
        var sawVector = false
        var seen: Set<String> = []
        guard try reader.peekKind() == .object else { throw APIError.badRequest("body must be a JSON object") }
        try reader.readObject { (key, reader) throws(APIError) in
            guard seen.insert(key).inserted else { throw APIError.badRequest("field '\(key)' appears twice") }
            switch key {
            case "vector":
                request.vector = try vector(&reader, "vector")
                sawVector = true
            case "k": request.k = try integer(&reader, "k")
            case "ef": request.ef = try integer(&reader, "ef")
            case "filter":
                let filter = try reader.readValue()
                if filter != .null { request.filter = filter }
            default:
                throw APIError.badRequest("unknown field '\(key)'; expected: ef, filter, k, vector")
            }
        }
        try reader.expectEnd()
        guard sawVector else { throw APIError.badRequest("missing field 'vector'") }
        return request
    }

    /// An array of numbers (a query vector); `field` names it in the error.
    static func vector(_ reader: inout JSONReader<APIError>, _ field: String) throws(APIError) -> [Float] {
        guard try reader.peekKind() == .array else { throw APIError.badRequest("field '\(field)': expected an array of numbers") }
        var vector: [Float] = []
        vector.reserveCapacity(512)
        try reader.readArray { (index, reader) throws(APIError) in
            guard try reader.peekKind() == .number else { throw APIError.badRequest("field '\(field)[\(index)]': expected a number") }
            // Out of Float's range becomes infinity, which the domain rejects by position.
            vector.append(Float(try reader.readDouble()))
        }
        return vector
    }

    static func integer(_ reader: inout JSONReader<APIError>, _ field: String) throws(APIError) -> Int? {
        switch try reader.peekKind() {
        case .null:
            try reader.readNull()
            return nil
        case .number:
            guard let value = try reader.readNumber() else { throw APIError.badRequest("field '\(field)': expected an integer") }
            return value
        default:
            throw APIError.badRequest("field '\(field)': expected an integer")
        }
    }
}
