/// One finished fill run as evidence (`evidence/fill.jsonl`, schema `evidence.schema.json`):
/// everything the journal recorded about it, assembled from its events, with the seqs of those
/// events so any field can be traced back to the tamper-evident log.
public struct EvidenceRecord: Codable, Sendable, Hashable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var runID: String
    /// The command as posted to `/v1/fill`.
    public var command: FillCommand
    /// The sentence as understood (role method, confidence, place, shift, day).
    public var understood: UnderstoodRequest
    public var request: FillRequestSpec
    public var retrieval: FillRetrievedPayload
    /// Every draft → validate round, in order (attempt numbers 1…n).
    public var attempts: [IterateAttempt]
    /// The last parseable draft as answered (nil when no draft ever parsed).
    public var final: FillDraft?
    public var valid: Bool
    /// What is still wrong with the final draft.
    public var violations: [Violation]
    /// Rules broken by an earlier attempt and fixed by the final one.
    public var corrected: [String]
    public var provider: String?
    public var maxAttempts: Int
    /// Milliseconds per stage (understand, retrieve, iterate, total).
    public var latencyMs: [String: Double]
    public var startedAt: String
    public var finishedAt: String
    /// Journal seqs of every event the record was built from, ascending.
    public var sourceSeqs: [Int]

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case runID = "run_id"
        case command, understood, request, retrieval, attempts, final, valid, violations, corrected, provider
        case maxAttempts = "max_attempts"
        case latencyMs = "latency_ms"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case sourceSeqs = "source_seqs"
    }

    public init(runID: String, command: FillCommand, understood: UnderstoodRequest, request: FillRequestSpec, retrieval: FillRetrievedPayload,
                attempts: [IterateAttempt], final: FillDraft?, valid: Bool, violations: [Violation], corrected: [String], provider: String?,
                maxAttempts: Int, latencyMs: [String: Double], startedAt: String, finishedAt: String, sourceSeqs: [Int]) {
        schemaVersion = Self.currentSchemaVersion
        self.runID = runID
        self.command = command
        self.understood = understood
        self.request = request
        self.retrieval = retrieval
        self.attempts = attempts
        self.final = final
        self.valid = valid
        self.violations = violations
        self.corrected = corrected
        self.provider = provider
        self.maxAttempts = maxAttempts
        self.latencyMs = latencyMs
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.sourceSeqs = sourceSeqs
    }

    // `final` is written as null when absent (the schema requires the key), so encode by hand.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(runID, forKey: .runID)
        try c.encode(command, forKey: .command)
        try c.encode(understood, forKey: .understood)
        try c.encode(request, forKey: .request)
        try c.encode(retrieval, forKey: .retrieval)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(final, forKey: .final)
        try c.encode(valid, forKey: .valid)
        try c.encode(violations, forKey: .violations)
        try c.encode(corrected, forKey: .corrected)
        try c.encode(provider, forKey: .provider)
        try c.encode(maxAttempts, forKey: .maxAttempts)
        try c.encode(latencyMs, forKey: .latencyMs)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(sourceSeqs, forKey: .sourceSeqs)
    }
}

/// A run that could not become evidence (`quarantine/fill.jsonl`): incomplete (events cut or
/// missing), or its assembled record failed the evidence schema.
public struct QuarantineRecord: Codable, Sendable, Hashable {
    public var runID: String
    /// "incomplete" or "schema".
    public var kind: String
    public var reason: String
    public var seqs: [Int]
    public var eventTypes: [String]
    public var quarantinedAt: String

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case kind, reason, seqs
        case eventTypes = "event_types"
        case quarantinedAt = "quarantined_at"
    }

    public init(runID: String, kind: String, reason: String, seqs: [Int], eventTypes: [String], quarantinedAt: String) {
        self.runID = runID
        self.kind = kind
        self.reason = reason
        self.seqs = seqs
        self.eventTypes = eventTypes
        self.quarantinedAt = quarantinedAt
    }
}
