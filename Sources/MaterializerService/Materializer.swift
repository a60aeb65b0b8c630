import Foundation
import LakehouseKit
import Synchronization

/// One materialization pass: journal events after the cursor → evidence (or quarantine) → scored
/// runs, written as whole new files that atomically replace the old ones, then the cursor.
///
/// Crash safety: the new evidence, scored and quarantine files are staged beside the old ones and
/// each renamed over its target (temp, fsync, rename, fsync dir); the cursor is written last. A
/// crash anywhere leaves each file old or new, never torn; a pass after a crash re-reads from the
/// old cursor and skips every run id already in evidence or quarantine (idempotent by run id), and
/// scores any evidence record the scored file lacks.
public final class Materializer: Sendable {
    let config: MaterializerConfig
    let source: any RunEventSource
    let logger: Logger?
    private let running = Mutex(false)
    /// The in-flight (or last) pass's progress in journal events (`GET /v1/materialize/status`).
    public let progress = WorkProgress(unit: "events")
    /// A hook for tests: called after the evidence file is committed and before the rest.
    let afterEvidenceCommit: (@Sendable () -> Void)?

    public init(config: MaterializerConfig, source: any RunEventSource, logger: Logger? = nil, afterEvidenceCommit: (@Sendable () -> Void)? = nil) {
        self.config = config
        self.source = source
        self.logger = logger
        self.afterEvidenceCommit = afterEvidenceCommit
    }

    struct Cursor: Codable { var cursor: Int }

    public func materialize(dryRun: Bool) async throws(MaterializerError) -> MaterializationSummary {
        let claimed = running.withLock { busy -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        guard claimed else { throw MaterializerError(.busy, "a materialization is already running; try again when it has finished") }
        progress.start(total: 0)
        defer {
            progress.finish()
            running.withLock { $0 = false }
        }
        do {
            return try await pass(dryRun: dryRun)
        } catch let error as MaterializerError {
            throw error
        } catch {
            throw MaterializerError(.storage, "materialization failed: \(error)")
        }
    }

    private func pass(dryRun: Bool) async throws -> MaterializationSummary {
        let paths = config.paths
        let startedAt = ArtifactClock.now()
        let started = MonotonicClock.nanoseconds()
        var timings: [String: Double] = ["read": 0, "materialize": 0, "score": 0, "commit": 0]
        func measure<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
            let t0 = MonotonicClock.nanoseconds()
            defer { timings[stage, default: 0] += Double(MonotonicClock.nanoseconds() - t0) / 1e6 }
            return try body()
        }
        let cursorBefore = (try? JSONDecoder().decode(Cursor.self, from: Data(contentsOf: URL(fileURLWithPath: config.cursorPath))))?.cursor ?? 0

        // What is already resolved: evidence and quarantine run ids; scored run ids.
        let quarantined = try ArtifactLines.runIDs(paths.quarantine)
        let scoredIDs = Set(try ArtifactLines.runIDs(paths.scored))
        var stagedEvidence: StagedReplacement?
        var stagedScored: StagedReplacement?
        var stagedQuarantine: StagedReplacement?
        var evidenceWriter: BufferedFileWriter?
        var scoredWriter: BufferedFileWriter?
        var quarantineWriter: BufferedFileWriter?
        var known = Set(quarantined)
        var evidenceTotal = 0
        var scoredTotal = scoredIDs.count
        var scoredAdded = 0
        var categories: [String: Int] = [:]
        var toRescore: [ArraySlice<UInt8>] = []

        if !dryRun {
            for directory in [paths.evidenceDirectory, paths.scoredDirectory, paths.quarantineDirectory, DurableFile.parentDirectory(of: config.cursorPath)] {
                try DurableFile.createDirectory(directory)
            }
            stagedEvidence = try DurableFile.stageReplacement(of: paths.evidence) { evidenceWriter = $0 }
            stagedScored = try DurableFile.stageReplacement(of: paths.scored) { scoredWriter = $0 }
            stagedQuarantine = try DurableFile.stageReplacement(of: paths.quarantine) { quarantineWriter = $0 }
            try JSONLinesFile.forEachLine(paths.scored) { line, _ in
                try scoredWriter!.write(Array(line) + [0x0A])
                return true
            }
            try JSONLinesFile.forEachLine(paths.quarantine) { line, _ in
                try quarantineWriter!.write(Array(line) + [0x0A])
                return true
            }
        }
        // Copy the old evidence; an evidence record the scored file lacks (a crash between the two
        // commits) is scored now.
        try JSONLinesFile.forEachLine(paths.evidence) { line, _ in
            guard let id = ArtifactLines.runID(line) else { return true }
            known.insert(id)
            evidenceTotal += 1
            try evidenceWriter?.write(Array(line) + [0x0A])
            if !scoredIDs.contains(id) { toRescore.append(line) }
            return true
        }
        for line in toRescore {
            guard let record = try? JSONValueDecoder.decode(EvidenceRecord.self, fromBytes: line) else { continue }
            let scored = RunScorer.score(record)
            try scoredWriter?.write(JSONValueEncoder.bytes(scored) + [0x0A])
            scoredAdded += 1
            scoredTotal += 1
            categories[scored.category.rawValue, default: 0] += 1
        }

        var assembler = RunAssembler(known: known, now: { ArtifactClock.now() })
        var readCursor = cursorBefore
        var eventsRead = 0
        var evidenceAdded = 0
        var quarantinedAdded = 0
        var quarantineReasons: [String: Int] = [:]
        var failedRuns = 0
        let validator = ArtifactSchema.validator("evidence")!

        func handle(_ resolution: RunAssembler.Resolution) throws {
            switch resolution {
            case .failed:
                failedRuns += 1
            case .quarantine(let record):
                quarantinedAdded += 1
                quarantineReasons[record.kind, default: 0] += 1
                try quarantineWriter?.write(JSONValueEncoder.bytes(record) + [0x0A])
            case .evidence(let record):
                let tree = try measure("materialize") { try JSONValueEncoder.encode(record) }
                let problems = measure("materialize") { validator.errors(tree, limit: 3) }
                if !problems.isEmpty {
                    let quarantine = QuarantineRecord(runID: record.runID, kind: "schema", reason: "evidence schema: " + problems.joined(separator: "; "),
                                                      seqs: record.sourceSeqs, eventTypes: [], quarantinedAt: ArtifactClock.now())
                    return try handle(.quarantine(quarantine))
                }
                let bytes = measure("materialize") { () -> [UInt8] in
                    var writer = JSONWriter(capacity: 4096)
                    writer.value(tree)
                    return writer.bytes
                }
                try measure("materialize") { try evidenceWriter?.write(bytes + [0x0A]) }
                evidenceAdded += 1
                evidenceTotal += 1
                let scored = measure("score") { RunScorer.score(record) }
                try measure("score") { try scoredWriter?.write(JSONValueEncoder.bytes(scored) + [0x0A]) }
                scoredAdded += 1
                scoredTotal += 1
                categories[scored.category.rawValue, default: 0] += 1
            }
        }

        // The next page is fetched while this one is processed (journald serves, we assemble).
        let source = self.source
        let pageSize = config.pageSize
        if let newest = await source.newestSeq() { progress.update(done: 0, total: max(0, newest - cursorBefore)) }
        var next = Task { try await source.events(after: cursorBefore, limit: pageSize) }
        while true {
            let t0 = MonotonicClock.nanoseconds()
            let page = try await next.value
            timings["read", default: 0] += Double(MonotonicClock.nanoseconds() - t0) / 1e6
            guard let last = page.last else { break }
            eventsRead += page.count
            readCursor = last.seq
            let after = readCursor
            next = Task { try await source.events(after: after, limit: pageSize) }
            for event in page {
                let resolution = measure("materialize") { assembler.add(event) }
                if let resolution { try handle(resolution) }
            }
            progress.update(done: readCursor - cursorBefore, runs: evidenceAdded + quarantinedAdded + failedRuns)
        }
        for resolution in assembler.finish(graceSeconds: config.graceSeconds, currentTime: Date()) { try handle(resolution) }
        let cursorAfter = assembler.lowestPendingSeq.map { min(readCursor, $0 - 1) } ?? readCursor

        let summary = MaterializationSummary(
            materializationID: UUID().uuidString.lowercased(), dryRun: dryRun, startedAt: startedAt, finishedAt: ArtifactClock.now(),
            cursorBefore: cursorBefore, cursorAfter: dryRun ? cursorBefore : cursorAfter, eventsRead: eventsRead,
            ignoredEvents: assembler.ignoredEvents, evidenceAdded: evidenceAdded, quarantinedAdded: quarantinedAdded,
            quarantineReasons: quarantineReasons, failedRuns: failedRuns, pendingRuns: assembler.pending.count, scoredAdded: scoredAdded,
            categories: categories, evidenceTotal: evidenceTotal, quarantineTotal: quarantined.count + quarantinedAdded, scoredTotal: scoredTotal,
            timingsMs: [:])
        guard !dryRun else {
            var result = summary
            result.timingsMs = timings.mapValues { ($0 * 1000).rounded() / 1000 }
            return result
        }
        try measure("commit") {
            try evidenceWriter?.flush()
            try scoredWriter?.flush()
            try quarantineWriter?.flush()
            try stagedEvidence?.commit()
            afterEvidenceCommit?()
            try stagedScored?.commit()
            try stagedQuarantine?.commit()
            try DurableFile.atomicReplace(path: config.cursorPath, bytes: JSONCoding.encode(Cursor(cursor: cursorAfter)))
        }
        var result = summary
        timings["total"] = Double(MonotonicClock.nanoseconds() - started) / 1e6
        result.timingsMs = timings.mapValues { ($0 * 1000).rounded() / 1000 }
        let line = try JSONCoding.encode(result)
        try DurableFile.atomicReplace(path: paths.summary, bytes: line + [0x0A])
        try JSONLinesFile.append(paths.summaries, lines: [line])
        logger?.info("materialized", [("evidence_added", String(evidenceAdded)), ("quarantined", String(quarantinedAdded)),
                                      ("cursor", String(cursorAfter)), ("events", String(eventsRead))])
        return result
    }
}
