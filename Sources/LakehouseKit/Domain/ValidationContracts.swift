/// validatord's API (SPEC §6 `/v1/validate`, `/v1/iterate`) as its callers send and read it.

public enum ViolationSeverity: String, Codable, Sendable, Hashable {
    case error, warning
}

/// One broken rule, in words a model can act on. `path` is a JSON path into the validated document
/// (`$.candidates[1].worker_id` for a fill payload; `$.fill.…` / `$.email.…` inside a whole draft).
public struct Violation: Codable, Sendable, Hashable {
    public var rule: String
    public var severity: ViolationSeverity
    public var path: String
    public var message: String

    public init(rule: String, severity: ViolationSeverity, path: String, message: String) {
        self.rule = rule
        self.severity = severity
        self.path = path
        self.message = message
    }
}

/// `valid` is true exactly when no violation has severity `error` (warnings do not invalidate).
public struct ValidationResult: Codable, Sendable, Hashable {
    public var valid: Bool
    public var violations: [Violation]

    public init(violations: [Violation]) {
        self.violations = violations
        valid = !violations.contains { $0.severity == .error }
    }
}

/// What a payload is validated against: the understood request, and for an e-mail the fill it presents.
public struct ValidationContext: Codable, Sendable, Hashable {
    public var query: String?
    public var count: Int?
    public var role: String?
    public var city: String?
    public var state: String?
    public var shift: String?
    public var day: String?
    /// Required for kind `email` (names and ids it may mention).
    public var fill: FillProposal?

    public init(request: FillRequestSpec? = nil, fill: FillProposal? = nil) {
        query = request?.query
        count = request?.count
        role = request?.role
        city = request?.city
        state = request?.state
        shift = request?.shift
        day = request?.day
        self.fill = fill
    }
}

/// `POST /v1/validate {"kind":"fill"|"email","payload":{…},"context":{…}}`. The payload is a
/// `FillProposal` for `fill` and a `ClientEmail` for `email`; it stays open JSON here so that a
/// payload of the wrong shape is answered with a 400 naming the field, by validatord.
public struct ValidateRequest: Codable, Sendable, Hashable {
    public var kind: String
    public var payload: JSONValue
    public var context: ValidationContext?

    public init(kind: String, payload: JSONValue, context: ValidationContext?) {
        self.kind = kind
        self.payload = payload
        self.context = context
    }
}

/// `POST /v1/iterate`: draft through chatd, validate, correct, up to `maxAttempts`.
public struct IterateRequest: Codable, Sendable, Hashable {
    /// Only "fill" today.
    public var kind: String
    public var request: FillRequestSpec
    /// Retrieved workers the drafter may choose from (best first), as whole records.
    public var candidates: [Worker]
    /// The same by id only (best first): validatord takes the records from its roster (ids it does
    /// not hold are left out). The gateway's shape; give this or `candidates`, not both.
    public var candidateIDs: [String]?
    /// Workers named in same-role successful playbooks (a hint to the drafter).
    public var playbookWorkerIDs: [String]?
    public var provider: String?
    public var model: String?
    public var maxAttempts: Int?
    /// Trace id for the journal; validatord makes one when absent.
    public var runID: String?

    enum CodingKeys: String, CodingKey {
        case kind, request, candidates
        case candidateIDs = "candidate_ids"
        case playbookWorkerIDs = "playbook_worker_ids"
        case provider, model
        case maxAttempts = "max_attempts"
        case runID = "run_id"
    }

    public init(kind: String = "fill", request: FillRequestSpec, candidates: [Worker], candidateIDs: [String]? = nil, playbookWorkerIDs: [String]? = nil,
                provider: String? = nil, model: String? = nil, maxAttempts: Int? = nil, runID: String? = nil) {
        self.kind = kind
        self.request = request
        self.candidates = candidates
        self.candidateIDs = candidateIDs
        self.playbookWorkerIDs = playbookWorkerIDs
        self.provider = provider
        self.model = model
        self.maxAttempts = maxAttempts
        self.runID = runID
    }

    /// `candidates` may be left out when `candidate_ids` is given (it is then empty).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(String.self, forKey: .kind)
        request = try container.decode(FillRequestSpec.self, forKey: .request)
        candidateIDs = try container.decodeIfPresent([String].self, forKey: .candidateIDs)
        if candidateIDs == nil || container.contains(.candidates) {
            candidates = try container.decode([Worker].self, forKey: .candidates)
        } else {
            candidates = []
        }
        playbookWorkerIDs = try container.decodeIfPresent([String].self, forKey: .playbookWorkerIDs)
        provider = try container.decodeIfPresent(String.self, forKey: .provider)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        maxAttempts = try container.decodeIfPresent(Int.self, forKey: .maxAttempts)
        runID = try container.decodeIfPresent(String.self, forKey: .runID)
    }

    /// `candidates` is left out when the candidates go by id (`candidate_ids`) and it is empty.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(request, forKey: .request)
        if candidateIDs == nil || !candidates.isEmpty { try container.encode(candidates, forKey: .candidates) }
        try container.encodeIfPresent(candidateIDs, forKey: .candidateIDs)
        try container.encodeIfPresent(playbookWorkerIDs, forKey: .playbookWorkerIDs)
        try container.encodeIfPresent(provider, forKey: .provider)
        try container.encodeIfPresent(model, forKey: .model)
        try container.encodeIfPresent(maxAttempts, forKey: .maxAttempts)
        try container.encodeIfPresent(runID, forKey: .runID)
    }
}

/// One round of the loop. `output` is the parsed draft when the model's answer was a JSON object,
/// else the raw text (an unparseable draft is itself a violation, `unparseable_draft`).
public struct IterateAttempt: Codable, Sendable, Hashable {
    public var attempt: Int
    public var output: JSONValue
    public var violations: [Violation]
    public var valid: Bool
    public var provider: String
    public var model: String
    public var latencyMs: Double

    enum CodingKeys: String, CodingKey {
        case attempt, output, violations, valid, provider, model
        case latencyMs = "latency_ms"
    }

    public init(attempt: Int, output: JSONValue, violations: [Violation], valid: Bool, provider: String, model: String, latencyMs: Double) {
        self.attempt = attempt
        self.output = output
        self.violations = violations
        self.valid = valid
        self.provider = provider
        self.model = model
        self.latencyMs = latencyMs
    }
}

public struct IterateResponse: Codable, Sendable, Hashable {
    public var runID: String
    /// The last parseable draft (valid or not); nil when no attempt parsed.
    public var final: FillDraft?
    public var valid: Bool
    public var attempts: [IterateAttempt]

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case final, valid, attempts
    }

    public init(runID: String, final: FillDraft?, valid: Bool, attempts: [IterateAttempt]) {
        self.runID = runID
        self.final = final
        self.valid = valid
        self.attempts = attempts
    }
}
