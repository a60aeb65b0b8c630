import LakehouseKit

/// matrixd's calls to embedd, vectord and chatd, with their failures turned into `MatrixError`s
/// that name the daemon: down or silent → `unavailable` (503), an answer matrixd cannot use →
/// `badGateway` (502). Request ids are passed on.
struct PeerCalls: Sendable {
    let peers: PeerClient
    /// How long one ingest batch may take vectord to store (`MATRIXD_UPSERT_TIMEOUT_MS`).
    var upsertTimeoutMs = MatrixConfig().upsertTimeoutMs

    /// Sends and returns the peer's answer; a transport failure or a 503 is `unavailable`.
    func send(_ daemon: Daemon, _ method: HTTPMethod, _ target: String, body: [UInt8] = [], requestID: String?,
              timeoutMs: Int? = nil) async throws(MatrixError) -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await peers.send(daemon, method, target, body: body, requestID: requestID, timeoutMs: timeoutMs)
        } catch {
            throw MatrixError(.unavailable, "\(daemon.rawValue) is unavailable: \(error.description)")
        }
        if response.status.code == 503 {
            throw MatrixError(.unavailable, "\(daemon.rawValue) is unavailable: \(PeerCalls.message(response))")
        }
        return response
    }

    /// The error message of a peer's error envelope, or the start of its body.
    static func message(_ response: HTTPClientResponse) -> String {
        if let envelope = try? JSONCoding.decode(ErrorEnvelope.self, from: response.body) { return envelope.error.message }
        return "HTTP \(response.status.code) " + String(decoding: response.body.prefix(200), as: UTF8.self)
    }

    static func unexpected(_ daemon: Daemon, _ what: String, _ response: HTTPClientResponse) -> MatrixError {
        MatrixError(.badGateway, "\(daemon.rawValue) \(what) failed: \(message(response))")
    }

    // MARK: embedd

    /// Vectors as embedd's raw JSON array texts (`[0.1,…]`), in order, and the model that made them.
    struct Embedded: Sendable {
        let vectors: [[UInt8]]
        let model: String
    }

    /// Embeds `texts` and returns each vector as its raw JSON array text, in order: ingest and
    /// retrieve splice these bytes straight into vectord bodies, never parsing floats. The model
    /// comes with them, so a corpus can refuse vectors from another model than its own.
    func embedRaw(_ texts: [String], requestID: String?) async throws(MatrixError) -> Embedded {
        var writer = JSONWriter(capacity: 64 + texts.count * 48)
        writer.raw("{\"texts\":[")
        for (position, text) in texts.enumerated() {
            if position > 0 { writer.raw(",") }
            writer.string(text)
        }
        writer.raw("]}")
        let response = try await send(.embedd, .POST, "/v1/embed", body: writer.bytes, requestID: requestID)
        guard response.status == .ok else { throw PeerCalls.unexpected(.embedd, "embedding", response) }
        // The whole answer is here already: one pass of the answer scanner takes each vector's text.
        let scanned = response.body.withUnsafeBytes { raw in
            Result { () throws(AnswerScanner.Malformed) -> ([[UInt8]], String?) in
                var scanner = AnswerScanner(bytes: raw)
                var vectors: [[UInt8]] = []
                var model: String?
                vectors.reserveCapacity(texts.count)
                try scanner.members { (key, scanner) throws(AnswerScanner.Malformed) in
                    if scanner.key(key, is: "model") {
                        if case .string(let name) = try scanner.value() { model = name }
                        return
                    }
                    guard scanner.key(key, is: "vectors"), scanner.peek() == UInt8(ascii: "[") else { return try scanner.skipValue() }
                    try scanner.array { (scanner) throws(AnswerScanner.Malformed) in
                        _ = scanner.peek()  // past whitespace: the vector's text starts at `position`
                        let start = scanner.position
                        try scanner.skipValue()
                        vectors.append(scanner.bytes(start..<scanner.position))
                    }
                }
                try scanner.expectEnd()
                return (vectors, model)
            }
        }
        let vectors: [[UInt8]]
        let named: String?
        switch scanned {
        case .success(let found): (vectors, named) = found
        case .failure(let error): throw MatrixError(.badGateway, "embedd sent an unreadable answer: \(error.message)")
        }
        guard vectors.count == texts.count, vectors.allSatisfy({ $0.first == UInt8(ascii: "[") }) else {
            throw MatrixError(.badGateway, "embedd answered \(vectors.count) vectors for \(texts.count) texts")
        }
        guard let model = named, !model.isEmpty else { throw MatrixError(.badGateway, "embedd's answer names no model") }
        return Embedded(vectors: vectors, model: model)
    }

    /// Embeds and parses (memory search compares vectors in process); with the model.
    func embed(_ texts: [String], requestID: String?) async throws(MatrixError) -> (vectors: [[Float]], model: String) {
        let raw = try await embedRaw(texts, requestID: requestID)
        var vectors: [[Float]] = []
        for bytes in raw.vectors {
            guard case .array(let numbers) = try JSONBytes.parse(bytes, what: "embedd's vector"), !numbers.isEmpty else {
                throw MatrixError(.badGateway, "embedd sent a vector that is not an array of numbers")
            }
            vectors.append(numbers.map { Float($0.numberValue ?? 0) })
        }
        return (vectors, raw.model)
    }

    // MARK: vectord

    /// Creates the index (cosine, the embedding's dims; `efConstruction` when given, else vectord's
    /// default) or confirms it exists with that dims and metric: an index created earlier with
    /// another ef_construction (or m) serves matrixd just as well.
    func ensureIndex(_ index: String, dims: Int, efConstruction: Int? = nil, requestID: String?) async throws(MatrixError) {
        let build = efConstruction.map { #","ef_construction":\#($0)"# } ?? ""
        let body = Array(#"{"dims":\#(dims),"metric":"cosine"\#(build)}"#.utf8)
        let response = try await send(.vectord, .PUT, "/v1/indexes/\(index)", body: body, requestID: requestID)
        switch response.status.code {
        case 200, 201: return
        case 409:
            let existing = try await send(.vectord, .GET, "/v1/indexes/\(index)", requestID: requestID)
            if existing.status == .ok, let stats = try? JSONBytes.read(existing.body),
               stats["dims"]?.numberValue == Double(dims), stats["metric"] == .string("cosine") {
                return
            }
            throw MatrixError(.conflict, "vectord index '\(index)' exists with other parameters than dims \(dims), metric cosine: \(PeerCalls.message(response))")
        case 400: throw MatrixError(.badRequest, "vectord refused index '\(index)': \(PeerCalls.message(response))")
        default: throw PeerCalls.unexpected(.vectord, "creating index '\(index)'", response)
        }
    }

    /// Deletes an index with everything in it; one that is already gone is fine.
    func deleteIndex(_ index: String, requestID: String?) async throws(MatrixError) {
        let response = try await send(.vectord, .DELETE, "/v1/indexes/\(index)", requestID: requestID)
        guard response.status == .ok || response.status == .notFound else {
            throw PeerCalls.unexpected(.vectord, "deleting index '\(index)'", response)
        }
    }

    /// Live items of an index, or nil when the index does not exist.
    func indexCount(_ index: String, requestID: String?) async throws(MatrixError) -> Int? {
        let response = try await send(.vectord, .GET, "/v1/indexes/\(index)", requestID: requestID)
        if response.status == .notFound { return nil }
        guard response.status == .ok, let count = try? JSONBytes.parse(response.body, what: "stats")["count"]?.numberValue else {
            throw PeerCalls.unexpected(.vectord, "index stats", response)
        }
        return Int(count)
    }

    /// Upserts a prepared `{"items":[…]}` body; returns how many vectord stored durably.
    func upsert(_ corpus: Corpus, body: [UInt8], requestID: String?) async throws(MatrixError) -> Int {
        let response = try await send(.vectord, .POST, "/v1/indexes/\(corpus.index)/upsert", body: body, requestID: requestID, timeoutMs: upsertTimeoutMs)
        switch response.status.code {
        case 200:
            guard let count = try? JSONBytes.parse(response.body, what: "upsert answer")["upserted"]?.numberValue else {
                throw PeerCalls.unexpected(.vectord, "upsert", response)
            }
            return Int(count)
        case 404: throw corpus.missingIndex()
        case 400: throw MatrixError(.badRequest, "vectord refused the records: \(PeerCalls.message(response))")
        case 413: throw MatrixError(.tooLarge, "vectord refused the batch: \(PeerCalls.message(response))")
        default: throw PeerCalls.unexpected(.vectord, "upsert", response)
        }
    }

    /// One search of a batch: a corpus's index, how many hits, which filter.
    struct IndexSearch: Sendable {
        let corpus: Corpus
        let k: Int
        let filter: [String: JSONValue]
    }

    /// Several searches with one query vector (raw JSON array text) in one vectord request
    /// (`POST /v1/indexes/search`): the hits of each, in order, with its index's live count.
    func search(_ searches: [IndexSearch], vector: [UInt8], requestID: String?) async throws(MatrixError) -> [IndexHit.BatchPart] {
        var writer = JSONWriter(capacity: vector.count + 128 + searches.count * 160)
        writer.raw("{\"searches\":[")
        for (position, search) in searches.enumerated() {
            if position > 0 { writer.raw(",") }
            writer.raw("{\"index\":")
            writer.string(search.corpus.index)
            writer.raw(",\"k\":")
            writer.number(search.k)
            if !search.filter.isEmpty {
                writer.raw(",\"filter\":")
                writer.object(search.filter)
            }
            writer.raw("}")
        }
        writer.raw("],\"vector\":")
        var body = writer.bytes
        body.append(contentsOf: vector)
        body.append(UInt8(ascii: "}"))
        let response = try await send(.vectord, .POST, "/v1/indexes/search", body: body, requestID: requestID)
        switch response.status.code {
        case 200: break
        case 404:
            // vectord names the failing search: "searches[i] (index '…'): …".
            let message = PeerCalls.message(response)
            let position = message.hasPrefix("searches[") ? Int(message.dropFirst(9).prefix { $0.isNumber }) : nil
            throw searches[min(position ?? 0, searches.count - 1)].corpus.missingIndex()
        case 400: throw MatrixError(.badRequest, "vectord refused the search: \(PeerCalls.message(response))")
        default: throw PeerCalls.unexpected(.vectord, "search", response)
        }
        return try IndexHit.decode(batchAnswer: response.body, keeping: searches.map { IndexHit.rankingFields.union($0.corpus.roleField.map { [$0] } ?? []) })
    }

    // MARK: chatd

    /// The role-extraction task through chatd; nil when chatd is down, slow, or answers nonsense.
    func chatRole(_ text: String, timeoutMs: Int, requestID: String?) async -> RoleExtractionAnswer? {
        let request = ChatRequest(messages: DraftPrompt.messages(for: RoleExtractionContext(text: text, roles: RoleVocabulary.names)),
                                  temperature: 0, maxTokens: 64, json: true)
        guard let body = try? JSONCoding.encode(request),
              let response = try? await peers.send(.chatd, .POST, "/v1/chat", body: body, requestID: requestID, timeoutMs: timeoutMs),
              response.status == .ok,
              let chat = try? JSONCoding.decode(ChatResponse.self, from: response.body),
              let answer = try? JSONCoding.decode(RoleExtractionAnswer.self, from: Array(chat.message.content.utf8))
        else { return nil }
        return answer
    }
}

enum JSONBytes {
    /// Parses one JSON value; a peer's unreadable answer is a 502.
    static func parse(_ bytes: [UInt8], what: String) throws(MatrixError) -> JSONValue {
        do {
            return try JSONBytes.read(bytes)
        } catch {
            throw MatrixError(.badGateway, "\(what) is not valid JSON: \(error.message)")
        }
    }

    /// Parses one JSON value; malformed input is a 400 naming the problem.
    static func read(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        var result: Result<JSONValue, APIError> = .failure(.badRequest("empty"))
        bytes.withUnsafeBytes { raw in
            var reader = JSONReader<APIError>(raw)
            do throws(APIError) {
                let value = try reader.readValue()
                try reader.expectEnd()
                result = .success(value)
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }
}
