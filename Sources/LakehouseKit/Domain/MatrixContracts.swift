/// matrixd's API (SPEC §6) as its callers (the gateway's fill, the CLI) send and read it.

/// `POST /v1/retrieve`.
public struct RetrieveRequest: Codable, Sendable, Hashable {
    public var query: String
    /// Corpora to search; matrixd's default when absent (workers and playbooks).
    public var corpora: [String]?
    public var k: Int?
    /// Role to gate on; extracted from `query` when absent.
    public var queryRole: String?
    /// Exact-match metadata filters passed down to vectord (a list means any-of, keys ANDed).
    public var filters: [String: JSONValue]?
    /// Place to rank near: workers within `MATRIXD_RADIUS_MILES` of a known city rank first.
    public var city: String?
    public var state: String?

    enum CodingKeys: String, CodingKey {
        case query, corpora, k
        case queryRole = "query_role"
        case filters, city, state
    }

    public init(query: String, corpora: [String]? = nil, k: Int? = nil, queryRole: String? = nil, filters: [String: JSONValue]? = nil,
                city: String? = nil, state: String? = nil) {
        self.query = query
        self.corpora = corpora
        self.k = k
        self.queryRole = queryRole
        self.filters = filters
        self.city = city
        self.state = state
    }
}

/// One hit, with the corpus it came from. For the workers corpus `metadata` is the `Worker` record.
public struct RetrieveHit: Codable, Sendable, Hashable {
    public var corpus: String
    public var id: String
    public var score: Double
    public var metadata: JSONValue

    public init(corpus: String, id: String, score: Double, metadata: JSONValue) {
        self.corpus = corpus
        self.id = id
        self.score = score
        self.metadata = metadata
    }
}

public struct RoleGateReport: Codable, Sendable, Hashable {
    /// Hits dropped because their role differs from the query role.
    public var dropped: Int

    public init(dropped: Int) { self.dropped = dropped }
}

public struct RetrieveResponse: Codable, Sendable, Hashable {
    public var role: String?
    /// "given", "regex", "llm" or "none".
    public var roleMethod: String
    public var results: [RetrieveHit]
    public var gate: RoleGateReport

    enum CodingKeys: String, CodingKey {
        case role
        case roleMethod = "role_method"
        case results, gate
    }

    public init(role: String?, roleMethod: String, results: [RetrieveHit], gate: RoleGateReport) {
        self.role = role
        self.roleMethod = roleMethod
        self.results = results
        self.gate = gate
    }
}

/// `POST /v1/extract-role {"text"}` answer.
public struct RoleExtraction: Codable, Sendable, Hashable {
    public var role: String?
    /// "regex", "llm" or "none".
    public var method: String
    public var confidence: Double

    public init(role: String?, method: String, confidence: Double) {
        self.role = role
        self.method = method
        self.confidence = confidence
    }
}

/// `POST /v1/understand {"text"}`: everything a fill needs from a coordinator's sentence.
/// ("Need 3 forklift operators in Toledo, OH for Monday 2nd shift" → 3, forklift operator, Toledo, OH, 2nd, mon.)
public struct UnderstoodRequest: Codable, Sendable, Hashable {
    public var text: String
    /// nil when the sentence names no number.
    public var count: Int?
    public var role: String?
    /// "regex", "llm" or "none".
    public var roleMethod: String
    public var confidence: Double
    public var city: String?
    public var state: String?
    public var shift: String?
    public var day: String?

    enum CodingKeys: String, CodingKey {
        case text, count, role
        case roleMethod = "role_method"
        case confidence, city, state, shift, day
    }

    public init(text: String, count: Int?, role: String?, roleMethod: String, confidence: Double, city: String?, state: String?, shift: String?, day: String?) {
        self.text = text
        self.count = count
        self.role = role
        self.roleMethod = roleMethod
        self.confidence = confidence
        self.city = city
        self.state = state
        self.shift = shift
        self.day = day
    }
}

/// `POST /v1/playbooks`: a successful fill, remembered for later retrieves of the same role.
public struct PlaybookRecord: Codable, Sendable, Hashable {
    public var query: String
    public var role: String
    public var city: String?
    public var state: String?
    public var workerIDs: [String]
    /// "filled".
    public var outcome: String
    public var runID: String?

    enum CodingKeys: String, CodingKey {
        case query, role, city, state
        case workerIDs = "worker_ids"
        case outcome
        case runID = "run_id"
    }

    public init(query: String, role: String, city: String?, state: String?, workerIDs: [String], outcome: String = "filled", runID: String? = nil) {
        self.query = query
        self.role = role
        self.city = city
        self.state = state
        self.workerIDs = workerIDs
        self.outcome = outcome
        self.runID = runID
    }
}
