/// How a fill run turned out, as the scorer classifies it (SPEC §6).
public enum RunCategory: String, Codable, Sendable, Hashable, CaseIterable {
    /// Valid on the first attempt.
    case accepted
    /// Valid after at least one correction.
    case corrected
    /// Never valid.
    case rejected
    /// Personal data (SSN shape, pay, a worker's contact) still in the final e-mail.
    case piiViolation = "pii_violation"
    /// No attempt produced a parseable draft.
    case unparseable

    /// The SftNever firewall: only these categories may ever become SFT samples.
    public var reachesSFT: Bool {
        switch self {
        case .accepted, .corrected: true
        case .rejected, .piiViolation, .unparseable: false
        }
    }
}

/// One scored run (`scored/scored_runs.jsonl`, schema `scored_run.schema.json`).
public struct ScoredRun: Codable, Sendable, Hashable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var runID: String
    public var category: RunCategory
    /// In [0, 1], 4 decimals (formula in the README, "Scorer").
    public var score: Double
    public var attempts: Int
    public var firstAttemptValid: Bool
    public var valid: Bool
    /// Error rules of the first and of the final attempt, sorted, unique.
    public var firstRules: [String]
    public var finalRules: [String]
    /// PII rules (`ssn_pattern`, `contact_leak`, `salary_disclosure`, or `pii_scan` for the
    /// scorer's own check) present in the final draft.
    public var piiRules: [String]
    public var role: String?
    public var provider: String?
    public var totalLatencyMs: Double?
    /// True exactly when `category.reachesSFT`.
    public var sftEligible: Bool

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case runID = "run_id"
        case category, score, attempts
        case firstAttemptValid = "first_attempt_valid"
        case valid
        case firstRules = "first_rules"
        case finalRules = "final_rules"
        case piiRules = "pii_rules"
        case role, provider
        case totalLatencyMs = "total_latency_ms"
        case sftEligible = "sft_eligible"
    }

    public init(runID: String, category: RunCategory, score: Double, attempts: Int, firstAttemptValid: Bool, valid: Bool, firstRules: [String],
                finalRules: [String], piiRules: [String], role: String?, provider: String?, totalLatencyMs: Double?) {
        schemaVersion = Self.currentSchemaVersion
        self.runID = runID
        self.category = category
        self.score = score
        self.attempts = attempts
        self.firstAttemptValid = firstAttemptValid
        self.valid = valid
        self.firstRules = firstRules
        self.finalRules = finalRules
        self.piiRules = piiRules
        self.role = role
        self.provider = provider
        self.totalLatencyMs = totalLatencyMs
        sftEligible = category.reachesSFT
    }
}
