/// Where the distillation artifacts live (SPEC §4 allows these shared folders under
/// `LAKEHOUSE_DATA_DIR`): materializerd writes `evidence/`, `quarantine/`, `scored/`, `exports/`;
/// replayd `replay/`; observerd `audit/`. Every file is replaced atomically (`DurableFile`).
public struct ArtifactPaths: Sendable, Hashable {
    public let root: String

    public init(root: String) { self.root = root }

    func join(_ parts: String...) -> String { ([root] + parts).joined(separator: "/") }

    public var evidenceDirectory: String { join("evidence") }
    /// One evidence record per finished fill run, idempotent by run id.
    public var evidence: String { join("evidence", "fill.jsonl") }
    /// The last materialization's summary.
    public var summary: String { join("evidence", "summary.json") }
    /// Every materialization's summary, one line each, oldest first.
    public var summaries: String { join("evidence", "summaries.jsonl") }
    public var quarantineDirectory: String { join("quarantine") }
    /// Runs that failed their schema or are incomplete, with the reason and the event seqs.
    public var quarantine: String { join("quarantine", "fill.jsonl") }
    public var scoredDirectory: String { join("scored") }
    public var scored: String { join("scored", "scored_runs.jsonl") }
    public var exportsDirectory: String { join("exports") }
    public func export(_ kind: ExportKind) -> String { join("exports", "\(kind.rawValue).jsonl") }
    /// Per-line metadata of an export (source class, run id), aligned line by line with it.
    public func exportMetadata(_ kind: ExportKind) -> String { join("exports", "\(kind.rawValue).meta.jsonl") }
    public var replayDirectory: String { join("replay") }
    public var replayRuns: String { join("replay", "replay_runs.jsonl") }
    public var auditDirectory: String { join("audit") }
    public var auditBaselines: String { join("audit", "audit_baselines.jsonl") }
}

/// The three exports of `POST /v1/export/{kind}`.
public enum ExportKind: String, Codable, Sendable, CaseIterable {
    case sft, rag, preference
}
