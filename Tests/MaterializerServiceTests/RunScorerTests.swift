import Foundation
import LakehouseKit
import Testing
@testable import MaterializerService

func evidence(attempts: [(valid: Bool, rules: [String], parsed: Bool)], emailBody: String = "Hello, we propose Maria Lopez (W-000001).") -> EvidenceRecord {
    let request = FillRequestSpec(query: "Need 1 welder in Toledo, OH", count: 1, role: "welder", city: "Toledo", state: "OH")
    let draft = FillDraft(fill: FillProposal(role: "welder", city: "Toledo", state: "OH",
                                             candidates: [FillCandidate(workerID: "W-000001", name: "Maria Lopez", reason: "active welder")]),
                          email: ClientEmail(subject: "1 welder", body: emailBody))
    let draftJSON = try! JSONValue(encoding: draft)
    let built = attempts.enumerated().map { index, spec in
        IterateAttempt(attempt: index + 1, output: spec.parsed ? draftJSON : .string("not json"),
                       violations: spec.rules.map { Violation(rule: $0, severity: .error, path: "$.email.body", message: "broken") },
                       valid: spec.valid, provider: "local", model: "local", latencyMs: 1)
    }
    let anyParsed = attempts.contains { $0.parsed }
    return EvidenceRecord(runID: "run-1", command: FillCommand(query: request.query),
                          understood: UnderstoodRequest(text: request.query, count: 1, role: "welder", roleMethod: "regex", confidence: 0.9,
                                                        city: "Toledo", state: "OH", shift: nil, day: nil),
                          request: request, retrieval: FillRetrievedPayload(role: "welder", workers: [RetrievedWorker(id: "W-000001", score: 0.9)],
                                                                            playbookWorkerIDs: [], gateDropped: 0),
                          attempts: built, final: anyParsed ? draft : nil, valid: attempts.last!.valid, violations: built.last!.violations,
                          corrected: [], provider: "local", maxAttempts: 3, latencyMs: ["total": 3], startedAt: "2026-11-21T12:00:00.000Z",
                          finishedAt: "2026-11-21T12:00:01.000Z", sourceSeqs: [1, 2, 3, 4])
}

@Test func categoriesFollowTheDocumentedOrder() {
    #expect(RunScorer.score(evidence(attempts: [(true, [], true)])).category == .accepted)
    #expect(RunScorer.score(evidence(attempts: [(false, ["role_mismatch"], true), (true, [], true)])).category == .corrected)
    #expect(RunScorer.score(evidence(attempts: [(false, ["salary_disclosure"], true), (true, [], true)])).category == .corrected)
    #expect(RunScorer.score(evidence(attempts: [(false, ["role_mismatch"], true), (false, ["role_mismatch"], true)])).category == .rejected)
    #expect(RunScorer.score(evidence(attempts: [(false, ["salary_disclosure"], true), (false, ["salary_disclosure"], true)])).category == .piiViolation)
    #expect(RunScorer.score(evidence(attempts: [(false, ["unparseable_draft"], false), (false, ["unparseable_draft"], false)])).category == .unparseable)
}

@Test func theScorersOwnCheckCatchesPayTheValidatorMissed() {
    let run = evidence(attempts: [(true, [], true)], emailBody: "Maria Lopez (W-000001) is available at $19.50 an hour.")
    let scored = RunScorer.score(run)
    #expect(scored.category == .piiViolation)
    #expect(scored.piiRules == ["pii_scan"])
    #expect(SFTEligibleRun(run) == nil)
}

@Test func scoresAreFourDecimalsInRangeAndOrderedByCategory() {
    let accepted = RunScorer.score(evidence(attempts: [(true, [], true)])).score
    let corrected = RunScorer.score(evidence(attempts: [(false, ["a"], true), (true, [], true)])).score
    let corrected3 = RunScorer.score(evidence(attempts: [(false, ["a"], true), (false, ["a"], true), (true, [], true)])).score
    let rejected = RunScorer.score(evidence(attempts: [(false, ["a", "b"], true), (false, ["a"], true)])).score
    let pii = RunScorer.score(evidence(attempts: [(false, ["ssn_pattern"], true)])).score
    #expect(accepted == 1.0)
    #expect(corrected == 0.9)
    #expect(corrected3 == 0.8)
    #expect(rejected == 0.15)
    #expect(pii == 0)
    for score in [accepted, corrected, corrected3, rejected, pii] {
        #expect((0...1).contains(score))
        #expect(RunScorer.round4(score) == score)
    }
    #expect(RunScorer.round4(0.123456) == 0.1235)
}

@Test func sftNeverAdmitsOnlyAcceptedAndCorrected() {
    #expect(RunCategory.allCases.filter(\.reachesSFT) == [.accepted, .corrected])
    #expect(SFTEligibleRun(evidence(attempts: [(true, [], true)])) != nil)
    #expect(SFTEligibleRun(evidence(attempts: [(false, ["role_mismatch"], true)])) == nil)
    #expect(SFTEligibleRun(evidence(attempts: [(false, ["contact_leak"], true)])) == nil)
    #expect(SFTEligibleRun(evidence(attempts: [(false, ["unparseable_draft"], false)])) == nil)
}
