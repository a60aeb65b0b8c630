import Foundation
import LakehouseKit

/// Turns a stream of journal events into runs: groups them by trace id (= run id), and resolves a
/// run once it is complete (`fill.requested`, `fill.retrieved`, `fill.finished` and as many
/// `iterate.attempt` events as `fill.finished` counts), failed (`fill.failed`: not evidence), or —
/// at the end of a pass, once its newest event is older than the grace period — incomplete.
/// Events of runs already resolved (`known`) are skipped, which makes a pass idempotent.
struct RunAssembler {
    enum Resolution {
        case evidence(EvidenceRecord)
        case quarantine(QuarantineRecord)
        case failed(runID: String)
    }

    struct PendingRun {
        var events: [RunEvent] = []
        var requested: FillRequestedPayload?
        var retrieved: FillRetrievedPayload?
        var attempts: [IterateAttempt] = []
        var finished: (payload: FillFinishedPayload, event: RunEvent)?
        var failed = false
        var problems: [String] = []

        var firstSeq: Int { events.map(\.seq).min() ?? 0 }
        var isComplete: Bool {
            guard let finished, requested != nil, retrieved != nil else { return false }
            return attempts.count >= finished.payload.attempts
        }
    }

    private(set) var pending: [String: PendingRun] = [:]
    var known: Set<String>
    /// Events that belong to no fill run (other types, or `iterate.*` traces without any `fill.*`
    /// event at the end: direct `/v1/iterate` calls).
    private(set) var ignoredEvents = 0
    let now: @Sendable () -> String

    init(known: Set<String>, now: @escaping @Sendable () -> String) {
        self.known = known
        self.now = now
    }

    mutating func add(_ event: RunEvent) -> Resolution? {
        guard RunEvent.isRunType(event.type) else {
            ignoredEvents += 1
            return nil
        }
        guard !known.contains(event.traceID) else { return nil }
        var run = pending[event.traceID] ?? PendingRun()
        run.events.append(event)
        switch event.payload {
        case .requested(let payload): run.requested = payload
        case .retrieved(let payload): run.retrieved = payload
        case .attempt(let attempt): run.attempts.append(attempt)
        case .finished(let payload): run.finished = (payload, event)
        case .failed: run.failed = true
        case .undecodable(let reason): run.problems.append("seq \(event.seq): \(reason)")
        case .iterateFinished, .other: break
        }
        if run.failed {
            pending[event.traceID] = nil
            known.insert(event.traceID)
            return .failed(runID: event.traceID)
        }
        if run.isComplete && run.problems.isEmpty {
            pending[event.traceID] = nil
            known.insert(event.traceID)
            return build(event.traceID, run)
        }
        pending[event.traceID] = run
        return nil
    }

    /// Resolves what can be resolved at the end of a pass: runs with undecodable events, and runs
    /// still incomplete whose newest event is at least `graceSeconds` old. The rest stay pending.
    mutating func finish(graceSeconds: Int, currentTime: Date) -> [Resolution] {
        var out: [Resolution] = []
        for runID in pending.keys.sorted(by: { pending[$0]!.firstSeq < pending[$1]!.firstSeq }) {
            let run = pending[runID]!
            let isFillRun = run.events.contains { $0.type.hasPrefix("fill.") }
            let newest = run.events.compactMap { Self.date($0.ts) }.max() ?? .distantPast
            let aged = currentTime.timeIntervalSince(newest) >= Double(graceSeconds)
            if !run.problems.isEmpty && (run.finished != nil || aged) {
                out.append(.quarantine(quarantine(runID, run, kind: "schema", reason: run.problems.prefix(3).joined(separator: "; "))))
            } else if !aged {
                continue
            } else if !isFillRun {
                ignoredEvents += run.events.count
            } else {
                out.append(.quarantine(quarantine(runID, run, kind: "incomplete", reason: Self.incompleteness(run))))
            }
            pending[runID] = nil
            known.insert(runID)
        }
        return out
    }

    /// The lowest seq of a run still pending (the next pass must start before it), or nil.
    var lowestPendingSeq: Int? { pending.values.map(\.firstSeq).min() }

    static func incompleteness(_ run: PendingRun) -> String {
        var missing: [String] = []
        if run.requested == nil { missing.append("no fill.requested event") }
        if run.retrieved == nil { missing.append("no fill.retrieved event") }
        if let finished = run.finished {
            let have = Set(run.attempts.map(\.attempt))
            let absent = (1...max(1, finished.payload.attempts)).filter { !have.contains($0) }
            if run.attempts.count < finished.payload.attempts {
                missing.append("\(run.attempts.count) of \(finished.payload.attempts) iterate.attempt events (missing attempt\(absent.count == 1 ? "" : "s") \(absent.map(String.init).joined(separator: ", ")))")
            }
        } else {
            missing.append("no fill.finished event")
        }
        return "incomplete: " + missing.joined(separator: "; ")
    }

    func quarantine(_ runID: String, _ run: PendingRun, kind: String, reason: String) -> QuarantineRecord {
        let ordered = run.events.sorted { $0.seq < $1.seq }
        return QuarantineRecord(runID: runID, kind: kind, reason: reason, seqs: ordered.map(\.seq), eventTypes: ordered.map(\.type), quarantinedAt: now())
    }

    /// The evidence record of a complete run, or its quarantine when the events disagree with one another.
    func build(_ runID: String, _ run: PendingRun) -> Resolution {
        guard let requested = run.requested, let retrieved = run.retrieved, let (finished, finishedEvent) = run.finished else {
            return .quarantine(quarantine(runID, run, kind: "incomplete", reason: Self.incompleteness(run)))
        }
        let attempts = run.attempts.sorted { $0.attempt < $1.attempt }
        guard attempts.map(\.attempt) == Array(1...attempts.count), attempts.count == finished.attempts else {
            return .quarantine(quarantine(runID, run, kind: "schema",
                                          reason: "attempt numbers \(attempts.map(\.attempt)) do not match fill.finished's count of \(finished.attempts)"))
        }
        let ordered = run.events.sorted { $0.seq < $1.seq }
        var final: FillDraft?
        if let fill = finished.fill, let email = finished.email { final = FillDraft(fill: fill, email: email) }
        let record = EvidenceRecord(runID: runID, command: requested.command, understood: requested.understood, request: finished.request,
                                    retrieval: retrieved, attempts: attempts, final: final, valid: finished.valid, violations: finished.violations,
                                    corrected: finished.corrected, provider: finished.provider, maxAttempts: finished.maxAttempts,
                                    latencyMs: finished.timingsMs, startedAt: ordered.first!.ts, finishedAt: finishedEvent.ts,
                                    sourceSeqs: ordered.map(\.seq))
        return .evidence(record)
    }

    nonisolated(unsafe) static let fractional: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
    nonisolated(unsafe) static let whole = ISO8601DateFormatter()

    static func date(_ text: String) -> Date? { fractional.date(from: text) ?? whole.date(from: text) }
}
