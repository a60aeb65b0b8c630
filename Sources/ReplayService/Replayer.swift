import Foundation
import LakehouseKit

/// `POST /v1/replay`: recorded runs (from `evidence/fill.jsonl`) re-run through today's fleet —
/// the gateway's `POST /v1/fill` with the recorded command — and the recorded proposal re-checked
/// by validatord (`POST /v1/validate`), then judged (`ReplayJudge`) and appended to
/// `replay/replay_runs.jsonl` (the file is replaced atomically). A fleet that cannot answer (a
/// 503 or no connection) stops the replay with a 503 and writes nothing: an outage is not a
/// regression.
public struct Replayer: Sendable {
    let config: ReplayConfig
    let fleet: any ReplayFleet
    /// The in-flight (or last) replay's progress in runs (`GET /v1/replay/status`).
    public let progress = WorkProgress(unit: "runs")

    public init(config: ReplayConfig, fleet: any ReplayFleet) {
        self.config = config
        self.fleet = fleet
    }

    public struct Request: Decodable, Sendable {
        public var runIDs: [String]?
        public var limit: Int?

        enum CodingKeys: String, CodingKey {
            case runIDs = "run_ids"
            case limit
        }

        public init(runIDs: [String]? = nil, limit: Int? = nil) {
            self.runIDs = runIDs
            self.limit = limit
        }

        public init(from decoder: any Decoder) throws {
            try JSONCoding.rejectUnknownFields(decoder, allowed: ["run_ids", "limit"])
            let c = try decoder.container(keyedBy: CodingKeys.self)
            runIDs = try c.decodeIfPresent([String].self, forKey: .runIDs)
            limit = try c.decodeIfPresent(Int.self, forKey: .limit)
        }
    }

    public struct Answer: Codable, Sendable {
        public var replayID: String
        public var runs: [ReplayRun]
        public var unknownRunIDs: [String]
        public var counts: [String: Int]

        enum CodingKeys: String, CodingKey {
            case replayID = "replay_id"
            case runs
            case unknownRunIDs = "unknown_run_ids"
            case counts
        }
    }

    func check(_ request: Request) throws(ReplayError) {
        if let limit = request.limit, !(1...config.maxLimit).contains(limit) {
            throw ReplayError(.badRequest, "limit must be from 1 to \(config.maxLimit) (REPLAYD_MAX_LIMIT), got \(limit)")
        }
        if let ids = request.runIDs {
            guard !ids.isEmpty else { throw ReplayError(.badRequest, "run_ids is empty; omit it to replay the latest runs") }
            guard ids.count <= config.maxLimit else { throw ReplayError(.badRequest, "\(ids.count) run_ids; at most \(config.maxLimit) (REPLAYD_MAX_LIMIT)") }
            if ids.contains(where: { $0.isEmpty || $0.utf8.count > 128 }) { throw ReplayError(.badRequest, "run_ids must be 1 to 128 characters each") }
        }
    }

    /// The recorded runs to replay and the requested ids that are not recorded.
    func select(_ request: Request) throws(ReplayError) -> ([EvidenceRecord], [String]) {
        var records: [EvidenceRecord] = []
        let wanted = request.runIDs.map(Set.init)
        let limit = request.limit ?? (request.runIDs == nil ? config.defaultLimit : config.maxLimit)
        do {
            try JSONLinesFile.forEachLine(config.paths.evidence) { line, _ in
                guard let record = try? JSONValueDecoder.decode(EvidenceRecord.self, fromBytes: line) else { return true }
                if let wanted, !wanted.contains(record.runID) { return true }
                records.append(record)
                if wanted == nil && records.count > limit { records.removeFirst(records.count - limit) }
                return true
            }
        } catch {
            throw ReplayError(.storage, "cannot read the evidence: \(error)")
        }
        if wanted != nil && records.count > limit { records = Array(records.prefix(limit)) }
        let found = Set(records.map(\.runID))
        var unknown: [String] = []
        for id in request.runIDs ?? [] where !found.contains(id) && !unknown.contains(id) { unknown.append(id) }
        return (records, unknown)
    }

    public func replay(_ request: Request) async throws(ReplayError) -> Answer {
        try check(request)
        progress.start(total: 0)
        defer { progress.finish() }
        let (records, unknown) = try select(request)
        progress.update(done: 0, total: records.count)
        let replayID = UUID().uuidString.lowercased()
        var runs: [ReplayRun] = []
        for record in records {
            defer { progress.update(done: runs.count, runs: runs.count) }
            let original = ReplayOutcome(runID: record.runID, valid: record.valid,
                                         workerIDs: record.valid ? (record.final?.fill.candidates.map(\.workerID) ?? []) : [],
                                         attempts: record.attempts.count)
            let replayed = try await fleet.fill(record.command, timeoutMs: config.fillTimeoutMs)
            var recordedErrors: [String] = []
            if record.valid, let fill = record.final?.fill {
                recordedErrors = try await fleet.validate(fill, request: record.request)
            }
            let (verdict, reason) = ReplayJudge.judge(original: original, replayed: replayed, recordedProposalErrors: recordedErrors)
            runs.append(ReplayRun(replayID: replayID, runID: record.runID, replayedAt: ArtifactClock.now(), original: original, replayed: replayed,
                                  overlap: Set(original.workerIDs).intersection(replayed.workerIDs).count, verdict: verdict, reason: reason))
        }
        if !runs.isEmpty {
            do {
                try JSONLinesFile.append(config.paths.replayRuns, lines: try runs.map { try JSONCoding.encode($0) })
            } catch {
                throw ReplayError(.storage, "cannot write the replay runs: \(error)")
            }
        }
        var counts = Dictionary(uniqueKeysWithValues: ReplayVerdict.allCases.map { ($0.rawValue, 0) })
        for run in runs { counts[run.verdict.rawValue, default: 0] += 1 }
        return Answer(replayID: replayID, runs: runs, unknownRunIDs: unknown, counts: counts)
    }

    /// The latest entries of `replay/replay_runs.jsonl`, oldest first, optionally of one run.
    public func recorded(limit: Int, runID: String?) throws(ReplayError) -> [ReplayRun] {
        var out: [ReplayRun] = []
        do {
            try JSONLinesFile.forEachLine(config.paths.replayRuns) { line, _ in
                guard let run = try? JSONValueDecoder.decode(ReplayRun.self, fromBytes: line), runID == nil || run.runID == runID else { return true }
                out.append(run)
                if out.count > limit { out.removeFirst(out.count - limit) }
                return true
            }
        } catch {
            throw ReplayError(.storage, "cannot read the replay runs: \(error)")
        }
        return out
    }
}

/// Today's fleet, as replay needs it: the gateway's fill and validatord's check.
public protocol ReplayFleet: Sendable {
    /// The replayed fill's outcome; a non-200 that is the caller's input (4xx) is an outcome with
    /// its status; an outage (no answer, 502/503/504) throws `fleetUnavailable`.
    func fill(_ command: FillCommand, timeoutMs: Int) async throws(ReplayError) -> ReplayOutcome
    /// The error rules (with their paths) a recorded fill breaks against today's roster.
    func validate(_ fill: FillProposal, request: FillRequestSpec) async throws(ReplayError) -> [String]
}

/// Over HTTP: gateway `POST /v1/fill`, validatord `POST /v1/validate`.
public struct HTTPReplayFleet: ReplayFleet {
    let peers: PeerClient

    public init(peers: PeerClient) { self.peers = peers }

    public func fill(_ command: FillCommand, timeoutMs: Int) async throws(ReplayError) -> ReplayOutcome {
        do {
            let answer: FillAnswer = try await peers.callJSON(.gateway, .POST, "/v1/fill", body: command, timeoutMs: timeoutMs)
            return ReplayOutcome(runID: answer.runID, valid: answer.valid, workerIDs: answer.valid ? (answer.fill?.candidates.map(\.workerID) ?? []) : [],
                                 attempts: answer.attempts.count)
        } catch {
            if case .status(_, let status, _, let message) = error, (400..<500).contains(Int(status.code)) {
                return ReplayOutcome(runID: nil, valid: false, workerIDs: [], attempts: 0, status: Int(status.code), error: message)
            }
            throw ReplayError(.fleetUnavailable, "the fleet could not replay a fill: \(error)")
        }
    }

    public func validate(_ fill: FillProposal, request: FillRequestSpec) async throws(ReplayError) -> [String] {
        do {
            let payload = try JSONValue(encoding: fill)
            let result: ValidationResult = try await peers.callJSON(.validatord, .POST, "/v1/validate",
                                                                    body: ValidateRequest(kind: "fill", payload: payload, context: ValidationContext(request: request)))
            return result.violations.filter { $0.severity == .error }.map { "\($0.rule) at \($0.path)" }
        } catch let error as PeerCallError {
            throw ReplayError(.fleetUnavailable, "validatord could not re-check a recorded fill: \(error)")
        } catch {
            throw ReplayError(.storage, "a recorded fill could not be encoded: \(error)")
        }
    }
}
