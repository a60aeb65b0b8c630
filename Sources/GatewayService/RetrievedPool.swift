import LakehouseKit

/// What a fill takes from matrixd's retrieve answer: the ids of the workers to draft from (best
/// first, with their scores), the workers named by same-role playbooks, and the role gate's count.
/// A worker's record is not read here: validatord takes it from its roster by id.
struct RetrievedPool: Sendable {
    var role: String?
    var retrieved: [RetrievedWorker] = []
    var playbookWorkerIDs: [String] = []
    var gateDropped = 0

    init(role: String?, gateDropped: Int) {
        self.role = role
        self.gateDropped = gateDropped
    }

    /// From a decoded answer.
    init(_ response: RetrieveResponse) {
        self.init(role: response.role, gateDropped: response.gate.dropped)
        for hit in response.results {
            add(corpus: hit.corpus, id: hit.id, score: hit.score, metadata: hit.metadata)
        }
    }

    /// The ids of the workers retrieved, best first.
    var workerIDs: [String] { retrieved.map(\.id) }

    /// A workers-corpus hit's id is the worker's id (ingest keys records by their `id`); a
    /// playbooks-corpus hit contributes the `worker_ids` of its metadata.
    mutating func add(corpus: String, id: String, score: Double, metadata: JSONValue?) {
        if corpus == "workers" {
            retrieved.append(RetrievedWorker(id: id, score: score))
        } else if corpus == "playbooks", let ids = metadata?["worker_ids"]?.arrayValue {
            for id in ids.compactMap(\.stringValue) where !playbookWorkerIDs.contains(id) { playbookWorkerIDs.append(id) }
        }
    }

    /// The answer's bytes read with the pull reader (a worker's record skipped, a playbook's read
    /// only for its `worker_ids`; no tree per record); nil when the answer is not exactly a `RetrieveResponse` (the caller then
    /// decodes it the slow way, which also words the error).
    static func read(_ body: [UInt8]) -> RetrievedPool? {
        body.withUnsafeBytes { raw -> RetrievedPool? in
            var reader = JSONReader<APIError>(raw)
            var role: String??
            var roleMethod: String?
            var dropped: Int?
            var hits: [(corpus: String, id: String, score: Double, metadata: JSONValue?)] = []
            var sawResults = false
            do {
                guard try reader.peekKind() == .object else { return nil }
                try reader.readObject { (key, r) throws(APIError) in
                    switch key {
                    case "role":
                        switch try r.peekKind() {
                        case .null: try r.readNull(); role = .some(nil)
                        case .string: role = .some(try r.readString())
                        default: throw .syntax("role")
                        }
                    case "role_method":
                        guard try r.peekKind() == .string else { throw .syntax("role_method") }
                        roleMethod = try r.readString()
                    case "gate":
                        guard case .object(let gate) = try r.readValue(), case .number(let n) = gate["dropped"], let count = Int(exactly: n) else {
                            throw .syntax("gate")
                        }
                        dropped = count
                    case "results":
                        guard try r.peekKind() == .array else { throw .syntax("results") }
                        sawResults = true
                        try r.readArray { (_, item) throws(APIError) in hits.append(try readHit(&item)) }
                    default:
                        try r.skipValue()
                    }
                }
                try reader.expectEnd()
            } catch {
                return nil
            }
            guard roleMethod != nil, let dropped, sawResults else { return nil }
            var pool = RetrievedPool(role: role ?? nil, gateDropped: dropped)
            for hit in hits { pool.add(corpus: hit.corpus, id: hit.id, score: hit.score, metadata: hit.metadata) }
            return pool
        }
    }

    /// A playbook hit's metadata as far as a fill reads it, `{"worker_ids":[…]}` (the strings of that
    /// list; the rest of the record is skipped, not built into a tree).
    private static func readPlaybookWorkerIDs(_ reader: inout JSONReader<APIError>) throws(APIError) -> JSONValue {
        var ids: [JSONValue]?
        try reader.readObject { (key, r) throws(APIError) in
            guard key == "worker_ids", try r.peekKind() == .array else { return try r.skipValue() }
            var list: [JSONValue] = []
            try r.readArray { (_, item) throws(APIError) in
                if try item.peekKind() == .string { list.append(.string(try item.readString())) } else { try item.skipValue() }
            }
            ids = list
        }
        return .object(ids.map { ["worker_ids": .array($0)] } ?? [:])
    }

    /// One hit; a workers-corpus record (the corpus named before it, as sorted keys put it) is
    /// skipped, a playbook's read for its ids, anything else as a tree.
    private static func readHit(_ reader: inout JSONReader<APIError>) throws(APIError) -> (corpus: String, id: String, score: Double, metadata: JSONValue?) {
        var corpus: String?
        var id: String?
        var score: Double?
        var metadata: JSONValue?
        var sawMetadata = false
        guard try reader.peekKind() == .object else { throw .syntax("hit") }
        try reader.readObject { (key, r) throws(APIError) in
            switch key {
            case "corpus":
                guard try r.peekKind() == .string else { throw .syntax("corpus") }
                corpus = try r.readString()
            case "id":
                guard try r.peekKind() == .string else { throw .syntax("id") }
                id = try r.readString()
            case "score":
                guard try r.peekKind() == .number else { throw .syntax("score") }
                score = try r.readDouble()
            case "metadata":
                sawMetadata = true
                if corpus == "workers" { return try r.skipValue() }
                if corpus == "playbooks", try r.peekKind() == .object {
                    metadata = try readPlaybookWorkerIDs(&r)
                    return
                }
                metadata = try r.readValue()
            default:
                try r.skipValue()
            }
        }
        guard let corpus, let id, let score, sawMetadata else { throw .syntax("hit fields") }
        return (corpus, id, score, metadata)
    }
}
