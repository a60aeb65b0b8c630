import LakehouseKit

/// One side of a comparison: what a run proposed and whether it was valid.
public struct ReplayOutcome: Codable, Sendable, Hashable {
    public var runID: String?
    public var valid: Bool
    public var workerIDs: [String]
    public var attempts: Int
    /// The fill's HTTP status when it was not 200.
    public var status: Int?
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case valid
        case workerIDs = "worker_ids"
        case attempts, status, error
    }

    public init(runID: String?, valid: Bool, workerIDs: [String], attempts: Int, status: Int? = nil, error: String? = nil) {
        self.runID = runID
        self.valid = valid
        self.workerIDs = workerIDs
        self.attempts = attempts
        self.status = status
        self.error = error
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runID, forKey: .runID)
        try c.encode(valid, forKey: .valid)
        try c.encode(workerIDs, forKey: .workerIDs)
        try c.encode(attempts, forKey: .attempts)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(error, forKey: .error)
    }
}

public enum ReplayVerdict: String, Codable, Sendable, Hashable, CaseIterable {
    case match, drift, regression
}

/// One line of `replay/replay_runs.jsonl` (schema `replay_run.schema.json`).
public struct ReplayRun: Codable, Sendable, Hashable {
    public var schemaVersion = 1
    public var replayID: String
    public var runID: String
    public var replayedAt: String
    public var original: ReplayOutcome
    public var replayed: ReplayOutcome
    /// Workers proposed by both the original and the replayed fill.
    public var overlap: Int
    public var verdict: ReplayVerdict
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case replayID = "replay_id"
        case runID = "run_id"
        case replayedAt = "replayed_at"
        case original, replayed, overlap, verdict, reason
    }
}

/// The verdict rules (README "Replay API"):
/// - the original was valid: the replay failing or invalid → `regression`; the recorded proposal
///   no longer passing today's validator (a proposed worker made inactive, removed, moved) →
///   `regression`; the same workers → `match`; other valid workers → `drift`;
/// - the original was not valid: still not valid → `match`; now valid → `drift` (an improvement).
public enum ReplayJudge {
    public static func judge(original: ReplayOutcome, replayed: ReplayOutcome, recordedProposalErrors: [String]) -> (ReplayVerdict, String) {
        if original.valid {
            if !replayed.valid {
                return (.regression, replayed.status.map { "the replayed fill failed with \($0): \(replayed.error ?? "")" } ?? "the replayed fill is not valid")
            }
            if !recordedProposalErrors.isEmpty {
                return (.regression, "the recorded proposal no longer validates: " + recordedProposalErrors.joined(separator: "; "))
            }
            if Set(original.workerIDs) == Set(replayed.workerIDs) { return (.match, "the same workers, still valid") }
            return (.drift, "still valid, with \(Set(original.workerIDs).intersection(replayed.workerIDs).count) of \(original.workerIDs.count) workers the same")
        }
        return replayed.valid ? (.drift, "was not valid, now valid") : (.match, "still not valid")
    }
}
