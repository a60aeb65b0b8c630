import LakehouseKit

/// `POST /v1/indexes/search`: several searches, over one or more indexes, in one request. A
/// caller that needs a few searches per query (matrixd's retrieve: workers near a place, the
/// playbooks, the boosting playbooks) pays one HTTP exchange and one parse of the query vector
/// instead of one per search.
///
/// `{"vector":[…], "searches":[{"index":"workers","k":30,"filter"?:{…},"ef"?:64,"vector"?:[…]}]}`:
/// the top-level vector is every search's query unless a search brings its own.
struct BatchSearchRequest {
    struct Search {
        var index = ""
        var vector: [Float]?
        var k: Int?
        var ef: Int?
        var filter: JSONValue?
    }

    static let maxSearches = 32

    var vector: [Float]?
    var searches: [Search] = []

    static func decode(_ body: [UInt8]) throws(APIError) -> BatchSearchRequest {
        guard !body.isEmpty else { throw APIError.badRequest("request body is empty; expected a JSON object") }
        return try body.withUnsafeBytes { raw in
            Result { () throws(APIError) -> BatchSearchRequest in try decode(raw) }
        }.get()
    }

    static func decode(_ raw: UnsafeRawBufferPointer) throws(APIError) -> BatchSearchRequest {
        var reader = JSONReader<APIError>(raw)
        var request = BatchSearchRequest()
        var sawSearches = false
        var seen: Set<String> = []
        guard try reader.peekKind() == .object else { throw APIError.badRequest("body must be a JSON object") }
        try reader.readObject { (key, reader) throws(APIError) in
            guard seen.insert(key).inserted else { throw APIError.badRequest("field '\(key)' appears twice") }
            switch key {
            case "vector": request.vector = try SearchRequest.vector(&reader, "vector")
            case "searches":
                guard try reader.peekKind() == .array else { throw APIError.badRequest("field 'searches': expected an array of objects") }
                try reader.readArray { (position, reader) throws(APIError) in
                    guard position < maxSearches else { throw APIError.badRequest("field 'searches': at most \(maxSearches) searches per request") }
                    request.searches.append(try search(&reader, "searches[\(position)]"))
                }
                sawSearches = true
            default:
                throw APIError.badRequest("unknown field '\(key)'; expected: searches, vector")
            }
        }
        try reader.expectEnd()
        guard sawSearches else { throw APIError.badRequest("missing field 'searches'") }
        guard !request.searches.isEmpty else { throw APIError.badRequest("field 'searches': expected 1 to \(maxSearches) searches") }
        for (position, search) in request.searches.enumerated() where search.vector == nil && request.vector == nil {
            throw APIError.badRequest("searches[\(position)]: no 'vector' (give one per search or one at the top level)")
        }
        return request
    }

    private static func search(_ reader: inout JSONReader<APIError>, _ path: String) throws(APIError) -> Search {
        guard try reader.peekKind() == .object else { throw APIError.badRequest("\(path): expected an object") }
        var search = Search()
        var sawIndex = false
        var seen: Set<String> = []
        try reader.readObject { (key, reader) throws(APIError) in
            guard seen.insert(key).inserted else { throw APIError.badRequest("\(path).\(key) appears twice") }
            switch key {
            case "index":
                guard try reader.peekKind() == .string else { throw APIError.badRequest("\(path).index: expected a string") }
                search.index = try reader.readString()
                sawIndex = true
            case "vector": search.vector = try SearchRequest.vector(&reader, "\(path).vector")
            case "k": search.k = try SearchRequest.integer(&reader, "\(path).k")
            case "ef": search.ef = try SearchRequest.integer(&reader, "\(path).ef")
            case "filter":
                let filter = try reader.readValue()
                if filter != .null { search.filter = filter }
            default:
                throw APIError.badRequest("\(path): unknown field '\(key)'; expected: ef, filter, index, k, vector")
            }
        }
        guard sawIndex else { throw APIError.badRequest("\(path): missing field 'index'") }
        return search
    }
}
