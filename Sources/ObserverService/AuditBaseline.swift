import Foundation
import LakehouseKit

/// One line of `audit/audit_baselines.jsonl` (schema `audit_baseline.schema.json`).
struct AuditBaseline: Codable, Sendable, Hashable {
    struct Categories: Codable, Sendable, Hashable {
        var accepted = 0, corrected = 0, rejected = 0, piiViolation = 0, unparseable = 0

        enum CodingKeys: String, CodingKey {
            case accepted, corrected, rejected
            case piiViolation = "pii_violation"
            case unparseable
        }

        mutating func add(_ category: RunCategory) {
            switch category {
            case .accepted: accepted += 1
            case .corrected: corrected += 1
            case .rejected: rejected += 1
            case .piiViolation: piiViolation += 1
            case .unparseable: unparseable += 1
            }
        }

        var byName: [String: Int] {
            ["accepted": accepted, "corrected": corrected, "rejected": rejected, "pii_violation": piiViolation, "unparseable": unparseable]
        }
    }

    struct Latency: Codable, Sendable, Hashable {
        var p50 = 0.0, p90 = 0.0, p99 = 0.0, max = 0.0
    }

    struct Drift: Codable, Sendable, Hashable {
        var previousBaselineID: String?
        var flagged: Bool
        var reasons: [String]

        enum CodingKeys: String, CodingKey {
            case previousBaselineID = "previous_baseline_id"
            case flagged, reasons
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(previousBaselineID, forKey: .previousBaselineID)
            try c.encode(flagged, forKey: .flagged)
            try c.encode(reasons, forKey: .reasons)
        }
    }

    var schemaVersion = 1
    var baselineID: String
    var takenAt: String
    var evidenceCount: Int
    var scoredCount: Int
    var quarantineCount: Int
    var categories: Categories
    /// Runs per score decile: [0, 0.1), [0.1, 0.2), … [0.9, 1].
    var scoreHistogram: [Int]
    var meanScore: Double
    var firstAttemptPassRate: Double
    var latencyMs: Latency
    var drift: Drift

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case baselineID = "baseline_id"
        case takenAt = "taken_at"
        case evidenceCount = "evidence_count"
        case scoredCount = "scored_count"
        case quarantineCount = "quarantine_count"
        case categories
        case scoreHistogram = "score_histogram"
        case meanScore = "mean_score"
        case firstAttemptPassRate = "first_attempt_pass_rate"
        case latencyMs = "latency_ms"
        case drift
    }
}

/// Measures the artifacts and compares with the previous baseline. Drift is flagged when, against
/// the previous baseline, the mean score moves by more than `OBSERVERD_DRIFT_SCORE`, the
/// first-attempt pass rate by more than `OBSERVERD_DRIFT_PASS_RATE`, any category's share by more
/// than `OBSERVERD_DRIFT_CATEGORY_SHARE`, or p90 latency grows by more than
/// `OBSERVERD_DRIFT_LATENCY_RATIO` (compared only when both baselines have scored runs).
struct BaselineBook: Sendable {
    let config: ObserverConfig

    func measure(id: String, takenAt: String) throws -> AuditBaseline {
        let paths = config.paths
        var categories = AuditBaseline.Categories()
        var histogram = [Int](repeating: 0, count: 10)
        var scores = 0.0
        var firstPass = 0
        var latencies: [Double] = []
        var scored = 0
        try JSONLinesFile.forEachLine(paths.scored) { line, _ in
            guard let run = try? JSONValueDecoder.decode(ScoredRun.self, fromBytes: line) else { return true }
            scored += 1
            categories.add(run.category)
            histogram[min(9, Int(run.score * 10))] += 1
            scores += run.score
            if run.firstAttemptValid { firstPass += 1 }
            if let latency = run.totalLatencyMs { latencies.append(latency) }
            return true
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            return latencies[min(latencies.count - 1, max(0, Int((p * Double(latencies.count)).rounded(.up)) - 1))]
        }
        let round4 = { (x: Double) in (x * 10_000).rounded() / 10_000 }
        return AuditBaseline(
            baselineID: id, takenAt: takenAt, evidenceCount: try JSONLinesFile.count(paths.evidence), scoredCount: scored,
            quarantineCount: try JSONLinesFile.count(paths.quarantine), categories: categories, scoreHistogram: histogram,
            meanScore: scored == 0 ? 0 : round4(scores / Double(scored)), firstAttemptPassRate: scored == 0 ? 0 : round4(Double(firstPass) / Double(scored)),
            latencyMs: .init(p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99), max: latencies.last ?? 0),
            drift: .init(previousBaselineID: nil, flagged: false, reasons: []))
    }

    func drift(_ current: AuditBaseline, against previous: AuditBaseline?) -> AuditBaseline.Drift {
        guard let previous else { return .init(previousBaselineID: nil, flagged: false, reasons: []) }
        var reasons: [String] = []
        if current.scoredCount > 0 && previous.scoredCount > 0 {
            let scoreMove = current.meanScore - previous.meanScore
            if abs(scoreMove) > config.driftScore {
                reasons.append(String(format: "mean score moved %+.4f (%.4f → %.4f; threshold %.4f)", scoreMove, previous.meanScore, current.meanScore, config.driftScore))
            }
            let passMove = current.firstAttemptPassRate - previous.firstAttemptPassRate
            if abs(passMove) > config.driftPassRate {
                reasons.append(String(format: "first-attempt pass rate moved %+.4f (threshold %.4f)", passMove, config.driftPassRate))
            }
            for (name, count) in current.categories.byName.sorted(by: { $0.key < $1.key }) {
                let now = Double(count) / Double(current.scoredCount)
                let before = Double(previous.categories.byName[name] ?? 0) / Double(previous.scoredCount)
                if abs(now - before) > config.driftCategoryShare {
                    reasons.append(String(format: "share of %@ moved %+.4f (threshold %.4f)", name, now - before, config.driftCategoryShare))
                }
            }
            if previous.latencyMs.p90 > 0 && current.latencyMs.p90 > previous.latencyMs.p90 * config.driftLatencyRatio {
                reasons.append(String(format: "p90 latency grew %.2fx (%.3f → %.3f ms; threshold %.2fx)", current.latencyMs.p90 / previous.latencyMs.p90,
                                      previous.latencyMs.p90, current.latencyMs.p90, config.driftLatencyRatio))
            }
        }
        return .init(previousBaselineID: previous.baselineID, flagged: !reasons.isEmpty, reasons: reasons)
    }

    /// Measures, compares with the last baseline, and appends (the file is replaced atomically).
    func take() throws -> AuditBaseline {
        let paths = config.paths
        var baseline = try measure(id: UUID().uuidString.lowercased(), takenAt: ArtifactClock.now())
        var last: AuditBaseline?
        try JSONLinesFile.forEachLine(paths.auditBaselines) { line, _ in
            last = try? JSONValueDecoder.decode(AuditBaseline.self, fromBytes: line)
            return true
        }
        baseline.drift = drift(baseline, against: last)
        try JSONLinesFile.append(paths.auditBaselines, lines: [try JSONCoding.encode(baseline)])
        return baseline
    }
}
