import LakehouseKit

/// What one materialization did (`evidence/summary.json`, one line of `evidence/summaries.jsonl`,
/// and the answer of `POST /v1/materialize`).
public struct MaterializationSummary: Codable, Sendable, Hashable {
    public var materializationID: String
    public var dryRun: Bool
    public var startedAt: String
    public var finishedAt: String
    /// Journal seq the pass started after, and the one the next pass will start after.
    public var cursorBefore: Int
    public var cursorAfter: Int
    public var eventsRead: Int
    public var ignoredEvents: Int
    public var evidenceAdded: Int
    public var quarantinedAdded: Int
    /// Quarantined runs by kind ("incomplete", "schema").
    public var quarantineReasons: [String: Int]
    /// Runs that stopped with `fill.failed`: not evidence.
    public var failedRuns: Int
    /// Runs still waiting for events (newer than the grace period).
    public var pendingRuns: Int
    public var scoredAdded: Int
    /// Categories of the runs scored in this pass.
    public var categories: [String: Int]
    public var evidenceTotal: Int
    public var quarantineTotal: Int
    public var scoredTotal: Int
    /// Milliseconds per stage: read (journal pages), materialize (assemble, check, write evidence), score, commit.
    public var timingsMs: [String: Double]

    enum CodingKeys: String, CodingKey {
        case materializationID = "materialization_id"
        case dryRun = "dry_run"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case cursorBefore = "cursor_before"
        case cursorAfter = "cursor_after"
        case eventsRead = "events_read"
        case ignoredEvents = "ignored_events"
        case evidenceAdded = "evidence_added"
        case quarantinedAdded = "quarantined_added"
        case quarantineReasons = "quarantine_reasons"
        case failedRuns = "failed_runs"
        case pendingRuns = "pending_runs"
        case scoredAdded = "scored_added"
        case categories
        case evidenceTotal = "evidence_total"
        case quarantineTotal = "quarantine_total"
        case scoredTotal = "scored_total"
        case timingsMs = "timings_ms"
    }
}

/// What one export did (the answer of `POST /v1/export/{kind}`).
public struct ExportSummary: Codable, Sendable, Hashable {
    public var kind: ExportKind
    public var path: String
    public var metadataPath: String?
    public var runsRead: Int
    /// Runs the firewall let through (accepted, corrected).
    public var runsEligible: Int
    public var samples: Int
    public var bytes: Int
    /// Samples per source class (SFT) or chunk kind (RAG).
    public var byClass: [String: Int]
    /// Samples dropped by the personal-data scan, per finding.
    public var droppedByScan: [String: Int]
    public var elapsedMs: Double

    enum CodingKeys: String, CodingKey {
        case kind, path
        case metadataPath = "metadata_path"
        case runsRead = "runs_read"
        case runsEligible = "runs_eligible"
        case samples, bytes
        case byClass = "by_class"
        case droppedByScan = "dropped_by_scan"
        case elapsedMs = "elapsed_ms"
    }
}
