import Foundation
import LakehouseKit
import Testing
@testable import MaterializerService

@Test func materializeWritesOneEvidenceRecordPerFinishedRunAndCountsFailedOnes() async throws {
    let root = Fixtures.temporaryDirectory()
    let events = try Fixtures.events()
    let summary = try await Fixtures.materializer(root, events).materialize(dryRun: false)
    let paths = ArtifactPaths(root: root)
    let finished = Set(events.filter { $0.type == "fill.finished" }.map(\.traceID))
    let failed = Set(events.filter { $0.type == "fill.failed" }.map(\.traceID))
    #expect(summary.evidenceAdded == finished.count)
    #expect(summary.failedRuns == failed.count)
    #expect(summary.quarantinedAdded == 0)
    let records = try JSONLinesFile.decodeAll(paths.evidence, as: EvidenceRecord.self)
    #expect(Set(records.map(\.runID)) == finished)
    #expect(records.allSatisfy { $0.sourceSeqs == $0.sourceSeqs.sorted() && $0.attempts.count >= 1 })
    #expect(try JSONLinesFile.count(paths.scored) == finished.count)
    #expect(summary.cursorAfter == events.last!.seq)
    #expect(FileManager.default.fileExists(atPath: paths.summary))
}

@Test func materializeTwiceAddsNothing() async throws {
    let root = Fixtures.temporaryDirectory()
    let events = try Fixtures.events()
    _ = try await Fixtures.materializer(root, events).materialize(dryRun: false)
    let before = try String(contentsOfFile: ArtifactPaths(root: root).evidence, encoding: .utf8)
    // A fresh cursor (as if the cursor file were lost) still adds nothing: idempotent by run id.
    try FileManager.default.removeItem(atPath: root + "/materializerd/cursor.json")
    let second = try await Fixtures.materializer(root, events).materialize(dryRun: false)
    #expect(second.evidenceAdded == 0)
    #expect(second.quarantinedAdded == 0)
    #expect(try String(contentsOfFile: ArtifactPaths(root: root).evidence, encoding: .utf8) == before)
}

@Test func aRunWithAnAttemptEventCutGoesToQuarantineWithReasonAndSeqs() async throws {
    let root = Fixtures.temporaryDirectory()
    var events = try Fixtures.events()
    let corrected = events.first { event in
        if case .finished(let payload) = event.payload { return payload.attempts >= 2 } else { return false }
    }!.traceID
    let cut = events.first { $0.traceID == corrected && $0.type == "iterate.attempt" }!
    events.removeAll { $0.seq == cut.seq }
    let summary = try await Fixtures.materializer(root, events).materialize(dryRun: false)
    #expect(summary.quarantinedAdded == 1)
    let quarantined = try JSONLinesFile.decodeAll(ArtifactPaths(root: root).quarantine, as: QuarantineRecord.self)
    #expect(quarantined.count == 1)
    #expect(quarantined[0].runID == corrected)
    #expect(quarantined[0].kind == "incomplete")
    #expect(quarantined[0].reason.contains("missing attempt 1"))
    #expect(!quarantined[0].seqs.contains(cut.seq) && !quarantined[0].seqs.isEmpty)
    #expect(!(try ArtifactLines.runIDs(ArtifactPaths(root: root).evidence)).contains(corrected))
}

@Test func anUnfinishedRunWaitsForTheGracePeriodAndHoldsTheCursorBack() async throws {
    let root = Fixtures.temporaryDirectory()
    var events = try Fixtures.events()
    let last = events.last { $0.type == "fill.finished" }!
    events.removeAll { $0.seq == last.seq }
    // The fixture's timestamps are in the past, so make this run's events "now".
    for index in events.indices where events[index].traceID == last.traceID { events[index].ts = ArtifactClock.now() }
    let summary = try await Fixtures.materializer(root, events, grace: 3600).materialize(dryRun: false)
    #expect(summary.pendingRuns == 1)
    #expect(summary.quarantinedAdded == 0)
    let firstSeq = events.filter { $0.traceID == last.traceID }.map(\.seq).min()!
    #expect(summary.cursorAfter == firstSeq - 1)
    // Once the run's last event arrives, the next pass makes it evidence.
    events.append(last)
    let next = try await Fixtures.materializer(root, events, grace: 3600).materialize(dryRun: false)
    #expect(next.evidenceAdded == 1)
    #expect(next.pendingRuns == 0)
}

@Test func aPayloadOfTheWrongShapeIsQuarantinedAsSchema() async throws {
    let root = Fixtures.temporaryDirectory()
    var events = try Fixtures.events()
    let index = events.firstIndex { $0.type == "fill.retrieved" }!
    events[index].payload = .undecodable("fill.retrieved payload does not decode: missing field '.workers'")
    let summary = try await Fixtures.materializer(root, events).materialize(dryRun: false)
    #expect(summary.quarantineReasons["schema"] == 1)
    let quarantined = try JSONLinesFile.decodeAll(ArtifactPaths(root: root).quarantine, as: QuarantineRecord.self)
    #expect(quarantined.first?.runID == events[index].traceID)
    #expect(quarantined.first?.reason.contains("workers") == true)
}

@Test func dryRunWritesNothing() async throws {
    let root = Fixtures.temporaryDirectory()
    let summary = try await Fixtures.materializer(root, try Fixtures.events()).materialize(dryRun: true)
    #expect(summary.evidenceAdded > 0)
    #expect(!FileManager.default.fileExists(atPath: ArtifactPaths(root: root).evidence))
    #expect(!FileManager.default.fileExists(atPath: root + "/materializerd/cursor.json"))
}

@Test func aCrashBetweenEvidenceAndScoredCommitsIsRepairedByTheNextPass() async throws {
    let root = Fixtures.temporaryDirectory()
    let events = try Fixtures.events()
    // The scored file is committed after the evidence file; removing it after the evidence commit
    // leaves the state a kill -9 between the two commits would leave.
    let scored = ArtifactPaths(root: root).scored
    let crashing = Materializer(config: MaterializerConfig(pageSize: 50, graceSeconds: 0, dataRoot: root), source: ListEventSource(events),
                                afterEvidenceCommit: { try? FileManager.default.removeItem(atPath: scored) })
    _ = try await crashing.materialize(dryRun: false)
    try FileManager.default.removeItem(atPath: scored)
    let repaired = try await Fixtures.materializer(root, events).materialize(dryRun: false)
    #expect(repaired.evidenceAdded == 0)
    #expect(repaired.scoredTotal == repaired.evidenceTotal)
    #expect(try JSONLinesFile.count(ArtifactPaths(root: root).scored) == repaired.evidenceTotal)
}

@Test func everyEvidenceRecordPassesTheSwiftSchemaCheck() async throws {
    let root = Fixtures.temporaryDirectory()
    _ = try await Fixtures.materializer(root, try Fixtures.events()).materialize(dryRun: false)
    let validator = try #require(ArtifactSchema.validator("evidence"))
    for line in Fixtures.lines(ArtifactPaths(root: root).evidence) {
        #expect(validator.errors(try #require(JSONParsing.value(Array(line.utf8)))) == [])
    }
}
