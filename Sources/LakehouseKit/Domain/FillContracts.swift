/// What a coordinator asked for, once understood: the context every draft, validation and journal
/// record of a fill carries. `query` is the sentence as typed.
public struct FillRequestSpec: Codable, Sendable, Hashable {
    public var query: String
    public var count: Int
    /// Canonical role name from `RoleVocabulary`.
    public var role: String?
    public var city: String?
    /// USPS two-letter state code.
    public var state: String?
    /// "1st", "2nd" or "3rd".
    public var shift: String?
    /// "mon" … "sun".
    public var day: String?

    public init(query: String, count: Int, role: String? = nil, city: String? = nil, state: String? = nil, shift: String? = nil, day: String? = nil) {
        self.query = query
        self.count = count
        self.role = role
        self.city = city
        self.state = state
        self.shift = shift
        self.day = day
    }
}

/// One proposed worker and why the drafter chose them.
public struct FillCandidate: Codable, Sendable, Hashable {
    public var workerID: String
    public var name: String
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case workerID = "worker_id"
        case name, reason
    }

    public init(workerID: String, name: String, reason: String) {
        self.workerID = workerID
        self.name = name
        self.reason = reason
    }
}

/// The fill proposal (SPEC §6 `/v1/fill` answer's `fill`).
public struct FillProposal: Codable, Sendable, Hashable {
    public var role: String
    public var city: String
    public var state: String
    public var candidates: [FillCandidate]

    public init(role: String, city: String, state: String, candidates: [FillCandidate]) {
        self.role = role
        self.city = city
        self.state = state
        self.candidates = candidates
    }
}

/// The client-facing e-mail that presents a fill.
public struct ClientEmail: Codable, Sendable, Hashable {
    public var subject: String
    public var body: String

    public init(subject: String, body: String) {
        self.subject = subject
        self.body = body
    }
}

/// One draft of a fill: what the chat model answers for the `fill_draft` and `correction` tasks,
/// and what the iterate loop validates (FillValidator on `fill`, EmailValidator on `email`).
public struct FillDraft: Codable, Sendable, Hashable {
    public var fill: FillProposal
    public var email: ClientEmail

    public init(fill: FillProposal, email: ClientEmail) {
        self.fill = fill
        self.email = email
    }
}
