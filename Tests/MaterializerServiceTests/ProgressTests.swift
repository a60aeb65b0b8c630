import Foundation
import LakehouseKit
import Synchronization
import Testing
@testable import MaterializerService

/// A list source that holds every page after the first until `release()`: a pass in flight.
final class GatedEventSource: RunEventSource {
    let list: ListEventSource
    let newest: Int
    private let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let released = Mutex(false)
    let firstPageServed = Mutex(false)

    init(_ events: [RunEvent]) {
        list = ListEventSource(events)
        newest = events.map(\.seq).max() ?? 0
    }

    func newestSeq() async -> Int? { newest }

    func events(after afterSeq: Int, limit: Int) async throws(MaterializerError) -> [RunEvent] {
        if afterSeq > 0 && !released.withLock({ $0 }) {
            await withCheckedContinuation { continuation in
                let resumeNow = released.withLock { done -> Bool in
                    if done { return true }
                    gate.withLock { $0 = continuation }
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        firstPageServed.withLock { $0 = true }
        return try await list.events(after: afterSeq, limit: limit)
    }

    func release() {
        released.withLock { $0 = true }
        gate.withLock { $0 }?.resume()
    }
}

@Test func statusShowsAPassInFlightThenItsFinalCounts() async throws {
    let root = Fixtures.temporaryDirectory()
    let events = try Fixtures.events()
    let source = GatedEventSource(events)
    let materializer = Materializer(config: MaterializerConfig(pageSize: 50, graceSeconds: 0, dataRoot: root), source: source)
    #expect(materializer.progress.snapshot.running == false)
    #expect(materializer.progress.snapshot.done == 0)

    let pass = Task { try await materializer.materialize(dryRun: false) }
    var during = materializer.progress.snapshot
    for _ in 0..<500 where !(during.running && during.done > 0) {
        try await Task.sleep(for: .milliseconds(10))
        during = materializer.progress.snapshot
    }
    #expect(during.running)
    #expect(during.unit == "events")
    #expect(during.total == events.last!.seq)
    #expect(during.done == 50)
    #expect(during.done < during.total)
    #expect(during.startedAt != nil)
    source.release()
    let summary = try await pass.value

    let after = materializer.progress.snapshot
    #expect(!after.running)
    #expect(after.done == summary.eventsRead)
    #expect(after.total == summary.eventsRead)
    #expect(after.runs == summary.evidenceAdded + summary.quarantinedAdded + summary.failedRuns)
    #expect(after.elapsedMs > 0)
}

@Test func aRefusedSecondPassLeavesTheRunningOnesProgressAlone() async throws {
    let root = Fixtures.temporaryDirectory()
    let source = GatedEventSource(try Fixtures.events())
    let materializer = Materializer(config: MaterializerConfig(pageSize: 50, graceSeconds: 0, dataRoot: root), source: source)
    let pass = Task { try await materializer.materialize(dryRun: false) }
    for _ in 0..<500 where materializer.progress.snapshot.done == 0 { try await Task.sleep(for: .milliseconds(10)) }
    await #expect(throws: MaterializerError.self) { try await materializer.materialize(dryRun: true) }
    #expect(materializer.progress.snapshot.running)
    #expect(materializer.progress.snapshot.done == 50)
    source.release()
    _ = try await pass.value
    #expect(!materializer.progress.snapshot.running)
}
