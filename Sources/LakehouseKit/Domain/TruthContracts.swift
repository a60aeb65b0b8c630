/// truthd's API (SPEC §6) as its callers (validatord's `certification_unverified`) send and read it.

/// One source's statement about one attribute of one subject (`worker:W-000001`,
/// `certification.forklift`, `true`, `hr_system`).
public struct Claim: Codable, Sendable, Hashable {
    public var subject: String
    public var attribute: String
    public var value: JSONValue
    public var source: String
    /// RFC 3339 time the source observed it.
    public var observedAt: String
    public var confidence: Double?

    enum CodingKeys: String, CodingKey {
        case subject, attribute, value, source
        case observedAt = "observed_at"
        case confidence
    }

    public init(subject: String, attribute: String, value: JSONValue, source: String, observedAt: String, confidence: Double? = nil) {
        self.subject = subject
        self.attribute = attribute
        self.value = value
        self.source = source
        self.observedAt = observedAt
        self.confidence = confidence
    }
}

/// The reconciled value of one attribute, with the rule that decided it and every claim behind it.
public struct ReconciledFact: Codable, Sendable, Hashable {
    public var value: JSONValue
    /// The winning claim's source.
    public var source: String
    /// "single", "priority", "recency", "confidence" or "tiebreak".
    public var rule: String
    /// True when the sources do not all agree on the value.
    public var conflict: Bool
    public var claims: [Claim]

    public init(value: JSONValue, source: String, rule: String, conflict: Bool, claims: [Claim]) {
        self.value = value
        self.source = source
        self.rule = rule
        self.conflict = conflict
        self.claims = claims
    }
}

/// `GET /v1/facts/{subject}` answer.
public struct SubjectFacts: Codable, Sendable, Hashable {
    public var subject: String
    public var attributes: [String: ReconciledFact]

    public init(subject: String, attributes: [String: ReconciledFact]) {
        self.subject = subject
        self.attributes = attributes
    }
}

/// `POST /v1/facts {"subjects":[…]}`.
public struct FactsBatchRequest: Codable, Sendable, Hashable {
    public var subjects: [String]

    public init(subjects: [String]) { self.subjects = subjects }
}

public struct FactsBatchResponse: Codable, Sendable, Hashable {
    public var facts: [SubjectFacts]
    /// Subjects with no claims at all.
    public var missing: [String]

    public init(facts: [SubjectFacts], missing: [String]) {
        self.facts = facts
        self.missing = missing
    }
}
