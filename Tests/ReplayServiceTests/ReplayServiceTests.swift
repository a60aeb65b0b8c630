import Foundation
import LakehouseKit
import Testing
@testable import ReplayService

/// A fleet that answers from tables: fills by query, validation errors by worker id.
struct TableFleet: ReplayFleet {
    var fills: [String: ReplayOutcome]
    var inactive: Set<String> = []
    var down = false

    func fill(_ command: FillCommand, timeoutMs: Int) async throws(ReplayError) -> ReplayOutcome {
        if down { throw ReplayError(.fleetUnavailable, "gateway is unavailable") }
        return fills[command.query] ?? ReplayOutcome(runID: nil, valid: false, workerIDs: [], attempts: 0, status: 422, error: "unknown role")
    }

    func validate(_ fill: FillProposal, request: FillRequestSpec) async throws(ReplayError) -> [String] {
        fill.candidates.filter { inactive.contains($0.workerID) }.map { "inactive_worker at \($0.workerID)" }
    }
}

func record(_ id: String, query: String, workers: [String], valid: Bool = true) -> EvidenceRecord {
    let request = FillRequestSpec(query: query, count: workers.count, role: "welder", city: "Toledo", state: "OH")
    let fill = FillProposal(role: "welder", city: "Toledo", state: "OH", candidates: workers.map { FillCandidate(workerID: $0, name: "N \($0)", reason: "r") })
    let attempt = IterateAttempt(attempt: 1, output: .null, violations: [], valid: valid, provider: "local", model: "m", latencyMs: 1)
    return EvidenceRecord(runID: id, command: FillCommand(query: query),
                          understood: UnderstoodRequest(text: query, count: nil, role: "welder", roleMethod: "regex", confidence: 1, city: nil, state: nil, shift: nil, day: nil),
                          request: request, retrieval: FillRetrievedPayload(role: "welder", workers: [], playbookWorkerIDs: [], gateDropped: 0),
                          attempts: [attempt], final: FillDraft(fill: fill, email: ClientEmail(subject: "s", body: "b")), valid: valid, violations: [],
                          corrected: [], provider: "local", maxAttempts: 3, latencyMs: [:], startedAt: "2026-11-21T12:00:00.000Z",
                          finishedAt: "2026-11-21T12:00:00.100Z", sourceSeqs: [1, 2, 3])
}

func replayer(_ records: [EvidenceRecord], _ fleet: TableFleet) throws -> (Replayer, String) {
    let root = NSTemporaryDirectory() + "replay-tests-\(UUID().uuidString)"
    let paths = ArtifactPaths(root: root)
    try JSONLinesFile.replace(paths.evidence) { writer in
        for record in records { try writer.write(JSONCoding.encode(record) + [0x0A]) }
    }
    return (Replayer(config: ReplayConfig(dataRoot: root), fleet: fleet), root)
}

@Test func unchangedFleetGivesMatch() async throws {
    let fleet = TableFleet(fills: ["q1": ReplayOutcome(runID: "new", valid: true, workerIDs: ["W-1", "W-2"], attempts: 1)])
    let (replay, root) = try replayer([record("r1", query: "q1", workers: ["W-1", "W-2"])], fleet)
    let answer = try await replay.replay(.init())
    #expect(answer.runs.map(\.verdict) == [.match])
    #expect(answer.runs[0].overlap == 2)
    let lines = try JSONLinesFile.count(ArtifactPaths(root: root).replayRuns)
    #expect(lines == 1)
}

@Test func aProposedWorkerMadeInactiveIsARegressionForTheRunsThatNamedThem() async throws {
    var fleet = TableFleet(fills: ["q1": ReplayOutcome(runID: "a", valid: true, workerIDs: ["W-3", "W-2"], attempts: 1),
                                   "q2": ReplayOutcome(runID: "b", valid: true, workerIDs: ["W-5"], attempts: 1)])
    fleet.inactive = ["W-1"]
    let (replay, _) = try replayer([record("r1", query: "q1", workers: ["W-1", "W-2"]), record("r2", query: "q2", workers: ["W-5"])], fleet)
    let answer = try await replay.replay(.init())
    #expect(answer.runs.first { $0.runID == "r1" }?.verdict == .regression)
    #expect(answer.runs.first { $0.runID == "r1" }?.reason.contains("inactive_worker") == true)
    #expect(answer.runs.first { $0.runID == "r2" }?.verdict == .match)
}

@Test func verdictRules() {
    let valid12 = ReplayOutcome(runID: "o", valid: true, workerIDs: ["W-1", "W-2"], attempts: 1)
    let valid13 = ReplayOutcome(runID: "n", valid: true, workerIDs: ["W-1", "W-3"], attempts: 1)
    let invalid = ReplayOutcome(runID: "n", valid: false, workerIDs: [], attempts: 3)
    let failing = ReplayOutcome(runID: nil, valid: false, workerIDs: [], attempts: 0, status: 422, error: "unknown role")
    #expect(ReplayJudge.judge(original: valid12, replayed: valid12, recordedProposalErrors: []).0 == .match)
    #expect(ReplayJudge.judge(original: valid12, replayed: valid13, recordedProposalErrors: []).0 == .drift)
    #expect(ReplayJudge.judge(original: valid12, replayed: invalid, recordedProposalErrors: []).0 == .regression)
    #expect(ReplayJudge.judge(original: valid12, replayed: failing, recordedProposalErrors: []).0 == .regression)
    #expect(ReplayJudge.judge(original: invalid, replayed: invalid, recordedProposalErrors: []).0 == .match)
    #expect(ReplayJudge.judge(original: invalid, replayed: valid12, recordedProposalErrors: []).0 == .drift)
}

@Test func unknownRunIDsAreReportedNotFatalAndBadLimitsAreRefused() async throws {
    let fleet = TableFleet(fills: ["q1": ReplayOutcome(runID: "new", valid: true, workerIDs: ["W-1"], attempts: 1)])
    let (replay, root) = try replayer([record("r1", query: "q1", workers: ["W-1"])], fleet)
    let answer = try await replay.replay(.init(runIDs: ["r1", "nope"]))
    #expect(answer.unknownRunIDs == ["nope"])
    #expect(answer.runs.map(\.runID) == ["r1"])
    for bad in [Replayer.Request(limit: 0), Replayer.Request(limit: 1_000_001), Replayer.Request(runIDs: []), Replayer.Request(runIDs: [""])] {
        await #expect(throws: ReplayError.self) { _ = try await replay.replay(bad) }
    }
    #expect(try JSONLinesFile.count(ArtifactPaths(root: root).replayRuns) == 1)
}

@Test func anOutageIsA503AndWritesNothing() async throws {
    let (replay, root) = try replayer([record("r1", query: "q1", workers: ["W-1"])], TableFleet(fills: [:], down: true))
    do {
        _ = try await replay.replay(.init())
        Issue.record("expected a failure")
    } catch {
        #expect(error.kind == .fleetUnavailable)
        #expect(ReplayRoutes.apiError(error).status.code == 503)
    }
    #expect(!FileManager.default.fileExists(atPath: ArtifactPaths(root: root).replayRuns))
}

@Test func replayRunsValidateAgainstTheCanonicalSchema() async throws {
    let fleet = TableFleet(fills: ["q1": ReplayOutcome(runID: "new", valid: true, workerIDs: ["W-1"], attempts: 1)])
    let (replay, root) = try replayer([record("r1", query: "q1", workers: ["W-1"]), record("r2", query: "zz", workers: ["W-9"])], fleet)
    _ = try await replay.replay(.init())
    let validator = try #require(ArtifactSchema.validator("replay_run"))
    try JSONLinesFile.forEachLine(ArtifactPaths(root: root).replayRuns) { line, _ in
        #expect(validator.errors(JSONParsing.value(line)!) == [])
        return true
    }
}
