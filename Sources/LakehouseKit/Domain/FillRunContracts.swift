/// The product's main job, `POST /v1/fill` on the gateway (SPEC §6), and what a fill run leaves in
/// the journal: the contract between the gateway that runs fills and the daemons that later read
/// them back (materializerd, replayd, observerd) and the operator CLI.

/// `POST /v1/fill {"query","count"?,"provider"?,"max_attempts"?}`.
public struct FillCommand: Codable, Sendable, Hashable {
    public var query: String
    /// Overrides the count named in the sentence (default: the sentence's, else 1).
    public var count: Int?
    public var provider: String?
    public var maxAttempts: Int?

    enum CodingKeys: String, CodingKey {
        case query, count, provider
        case maxAttempts = "max_attempts"
    }

    public init(query: String, count: Int? = nil, provider: String? = nil, maxAttempts: Int? = nil) {
        self.query = query
        self.count = count
        self.provider = provider
        self.maxAttempts = maxAttempts
    }

    public static let fields: Set<String> = ["query", "count", "provider", "max_attempts"]
}

/// The answer of `POST /v1/fill`. A fill that could not be made valid is still an answer
/// (`valid: false`, `fill`/`email` the last draft, `violations` what is still wrong).
public struct FillAnswer: Codable, Sendable, Hashable {
    /// Also the journal trace id of every event of this run.
    public var runID: String
    /// The request as understood (role, place, count, shift, day).
    public var request: FillRequestSpec
    public var fill: FillProposal?
    public var email: ClientEmail?
    public var valid: Bool
    /// Every round of draft → validate → correct, in order.
    public var attempts: [IterateAttempt]
    /// What is wrong with the final draft (empty when valid; warnings may remain).
    public var violations: [Violation]
    /// Rules broken by an earlier attempt and no longer broken by the final one.
    public var corrected: [String]
    /// Milliseconds per stage: understand, retrieve, iterate, total.
    public var timingsMs: [String: Double]

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case request, fill, email, valid, attempts, violations, corrected
        case timingsMs = "timings_ms"
    }

    public init(runID: String, request: FillRequestSpec, fill: FillProposal?, email: ClientEmail?, valid: Bool, attempts: [IterateAttempt],
                violations: [Violation], corrected: [String], timingsMs: [String: Double]) {
        self.runID = runID
        self.request = request
        self.fill = fill
        self.email = email
        self.valid = valid
        self.attempts = attempts
        self.violations = violations
        self.corrected = corrected
        self.timingsMs = timingsMs
    }
}

/// Event types of a fill run in the journal; every event of one run has `trace_id` = run id.
/// A run is complete when its `fill.finished` event and as many `iterate.attempt` events as
/// `fill.finished` counts are present.
public enum FillRunEventType {
    /// gateway: the command and the request as understood (`FillRequestedPayload`).
    public static let requested = "fill.requested"
    /// gateway: what retrieval returned (`FillRetrievedPayload`).
    public static let retrieved = "fill.retrieved"
    /// validatord: one draft → validate round (`IterateAttempt`).
    public static let attempt = "iterate.attempt"
    /// validatord: the loop's outcome (`IterateFinishedPayload`).
    public static let iterateFinished = "iterate.finished"
    /// gateway: the answer given (`FillFinishedPayload`).
    public static let finished = "fill.finished"
    /// gateway: the run stopped at a stage because a daemon failed it (`FillFailedPayload`).
    public static let failed = "fill.failed"
}

public struct FillFailedPayload: Codable, Sendable, Hashable {
    /// "understand", "retrieve" or "iterate".
    public var stage: String
    public var status: Int
    public var error: String

    public init(stage: String, status: Int, error: String) {
        self.stage = stage
        self.status = status
        self.error = error
    }
}

public struct FillRequestedPayload: Codable, Sendable, Hashable {
    public var command: FillCommand
    public var understood: UnderstoodRequest
    public var request: FillRequestSpec

    public init(command: FillCommand, understood: UnderstoodRequest, request: FillRequestSpec) {
        self.command = command
        self.understood = understood
        self.request = request
    }
}

public struct RetrievedWorker: Codable, Sendable, Hashable {
    public var id: String
    public var score: Double

    public init(id: String, score: Double) {
        self.id = id
        self.score = score
    }
}

public struct FillRetrievedPayload: Codable, Sendable, Hashable {
    public var role: String?
    public var workers: [RetrievedWorker]
    public var playbookWorkerIDs: [String]
    public var gateDropped: Int

    enum CodingKeys: String, CodingKey {
        case role, workers
        case playbookWorkerIDs = "playbook_worker_ids"
        case gateDropped = "gate_dropped"
    }

    public init(role: String?, workers: [RetrievedWorker], playbookWorkerIDs: [String], gateDropped: Int) {
        self.role = role
        self.workers = workers
        self.playbookWorkerIDs = playbookWorkerIDs
        self.gateDropped = gateDropped
    }
}

public struct IterateFinishedPayload: Codable, Sendable, Hashable {
    public var valid: Bool
    public var attempts: Int
    public var maxAttempts: Int

    enum CodingKeys: String, CodingKey {
        case valid, attempts
        case maxAttempts = "max_attempts"
    }

    public init(valid: Bool, attempts: Int, maxAttempts: Int) {
        self.valid = valid
        self.attempts = attempts
        self.maxAttempts = maxAttempts
    }
}

public struct FillFinishedPayload: Codable, Sendable, Hashable {
    public var request: FillRequestSpec
    public var fill: FillProposal?
    public var email: ClientEmail?
    public var valid: Bool
    public var attempts: Int
    public var maxAttempts: Int
    public var violations: [Violation]
    public var corrected: [String]
    /// The provider that wrote the final draft.
    public var provider: String?
    public var timingsMs: [String: Double]

    enum CodingKeys: String, CodingKey {
        case request, fill, email, valid, attempts
        case maxAttempts = "max_attempts"
        case violations, corrected, provider
        case timingsMs = "timings_ms"
    }

    public init(request: FillRequestSpec, fill: FillProposal?, email: ClientEmail?, valid: Bool, attempts: Int, maxAttempts: Int,
                violations: [Violation], corrected: [String], provider: String?, timingsMs: [String: Double]) {
        self.request = request
        self.fill = fill
        self.email = email
        self.valid = valid
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.violations = violations
        self.corrected = corrected
        self.provider = provider
        self.timingsMs = timingsMs
    }
}
