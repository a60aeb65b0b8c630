import Foundation
import LakehouseKit

/// The scorer (SPEC §6): a category and a 4-decimal score in [0, 1] per evidence record.
///
/// Category, first match wins:
/// 1. `unparseable`: no attempt produced a parseable draft (`final` is null).
/// 2. `pii_violation`: the final draft still carries personal data at the end — its last
///    attempt names `ssn_pattern`, `contact_leak` or `salary_disclosure`, or the scorer's own
///    independent check (an SSN shape, a `$` amount, an e-mail address in the e-mail) fires. A PII
///    rule tripped by an earlier attempt and corrected does not count: that run is `corrected`,
///    which is exactly the loop working (and what preference pairs are made of).
/// 3. `accepted`: valid on the first attempt.
/// 4. `corrected`: valid after at least one correction.
/// 5. `rejected`: never valid.
///
/// Score (w = warnings of the final attempt, n = attempts, e₁/eₙ = errors of the first/last attempt):
/// accepted `max(0.8, 1 − 0.05·w)`; corrected `max(0.5, 0.9 − 0.1·(n − 2) − 0.05·w)`;
/// rejected `0.3 · max(0, 1 − eₙ/e₁)` (partial progress, always < 0.3); pii_violation and
/// unparseable 0. Rounded half away from zero to 4 decimals. So every accepted run outscores every
/// corrected one, and every corrected one every rejected one.
public enum RunScorer {
    public static let piiRules: Set<String> = ["ssn_pattern", "contact_leak", "salary_disclosure"]

    public static func score(_ record: EvidenceRecord) -> ScoredRun {
        let first = record.attempts.first
        let last = record.attempts.last
        func errorRules(_ attempt: IterateAttempt?) -> [String] {
            Array(Set((attempt?.violations ?? []).filter { $0.severity == .error }.map(\.rule))).sorted()
        }
        let finalViolations = record.violations.isEmpty ? (last?.violations ?? []) : record.violations
        var pii = Set(finalViolations.filter { $0.severity == .error && piiRules.contains($0.rule) }.map(\.rule))
        if let email = record.final?.email, containsPersonalData(email.subject + "\n" + email.body) { pii.insert("pii_scan") }

        let category: RunCategory
        if record.final == nil {
            category = .unparseable
        } else if !pii.isEmpty {
            category = .piiViolation
        } else if record.valid {
            category = record.attempts.count <= 1 ? .accepted : .corrected
        } else {
            category = .rejected
        }
        let warnings = Double(finalViolations.filter { $0.severity == .warning }.count)
        let raw: Double
        switch category {
        case .accepted: raw = max(0.8, 1 - 0.05 * warnings)
        case .corrected: raw = max(0.5, 0.9 - 0.1 * Double(record.attempts.count - 2) - 0.05 * warnings)
        case .rejected:
            let firstErrors = Double(max(1, (first?.violations ?? []).filter { $0.severity == .error }.count))
            let lastErrors = Double(finalViolations.filter { $0.severity == .error }.count)
            raw = 0.3 * max(0, 1 - lastErrors / firstErrors)
        case .piiViolation, .unparseable: raw = 0
        }
        return ScoredRun(runID: record.runID, category: category, score: round4(min(1, max(0, raw))), attempts: record.attempts.count,
                         firstAttemptValid: first?.valid ?? false, valid: record.valid, firstRules: errorRules(first),
                         finalRules: Array(Set(finalViolations.filter { $0.severity == .error }.map(\.rule))).sorted(),
                         piiRules: pii.sorted(), role: record.request.role, provider: record.provider, totalLatencyMs: record.latencyMs["total"])
    }

    public static func round4(_ value: Double) -> Double { (value * 10_000).rounded(.toNearestOrAwayFromZero) / 10_000 }

    /// The scorer's own narrow check of a client e-mail: an SSN shape, a dollar amount, an e-mail address.
    static func containsPersonalData(_ text: String) -> Bool { PersonalDataScan.containsSSNPayOrEmail(text) }
}

/// The SftNever firewall as a type: the only way to make an `SFTEligibleRun` is from a record
/// the scorer put in `accepted` or `corrected` (with its valid final draft), and the SFT templates
/// take nothing else. `rejected`, `pii_violation` and `unparseable` runs cannot be expressed.
public struct SFTEligibleRun: Sendable {
    public let evidence: EvidenceRecord
    public let score: ScoredRun
    public let final: FillDraft

    public init?(_ evidence: EvidenceRecord) {
        let score = RunScorer.score(evidence)
        guard score.category.reachesSFT, evidence.valid, let final = evidence.final else { return nil }
        self.evidence = evidence
        self.score = score
        self.final = final
    }
}
