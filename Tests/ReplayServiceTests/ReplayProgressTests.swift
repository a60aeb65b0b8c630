import Foundation
import LakehouseKit
import Testing
@testable import ReplayService

@Test func replayProgressCountsTheSelectedRunsAndEndsNotRunning() async throws {
    let fleet = TableFleet(fills: ["q1": ReplayOutcome(runID: "a", valid: true, workerIDs: ["W-1"], attempts: 1),
                                   "q2": ReplayOutcome(runID: "b", valid: true, workerIDs: ["W-2"], attempts: 1)])
    let (replay, _) = try replayer([record("r1", query: "q1", workers: ["W-1"]), record("r2", query: "q2", workers: ["W-2"]),
                                    record("r3", query: "q1", workers: ["W-1"])], fleet)
    let idle = replay.progress.snapshot
    #expect(!idle.running && idle.done == 0 && idle.total == 0 && idle.unit == "runs")
    let answer = try await replay.replay(.init(limit: 2))
    let after = replay.progress.snapshot
    #expect(answer.runs.count == 2)
    #expect(!after.running)
    #expect(after.done == 2 && after.total == 2 && after.runs == 2)
    #expect(after.startedAt != nil)
}

@Test func aFailedReplayStillEndsItsProgress() async throws {
    var fleet = TableFleet(fills: [:])
    fleet.down = true
    let (replay, _) = try replayer([record("r1", query: "q1", workers: ["W-1"])], fleet)
    await #expect(throws: ReplayError.self) { try await replay.replay(.init()) }
    let after = replay.progress.snapshot
    #expect(!after.running)
    #expect(after.total == 1 && after.done == 0)
}
