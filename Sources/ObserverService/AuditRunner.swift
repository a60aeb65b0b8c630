import Foundation
import LakehouseKit

/// One phase of `POST /v1/audit/full`.
struct PhaseResult: Codable, Sendable, Hashable {
    var phase: Int
    var name: String
    /// "pass", "fail" or "unavailable".
    var status: String
    var detail: String
    var elapsedMs: Double

    enum CodingKeys: String, CodingKey {
        case phase, name, status, detail
        case elapsedMs = "elapsed_ms"
    }
}

struct AuditReport: Codable, Sendable {
    var auditID: String
    var startedAt: String
    /// "pass" (every phase passed), "fail" (a phase failed) or "degraded" (none failed, some unavailable).
    var status: String
    var phases: [PhaseResult]
    var elapsedMs: Double

    enum CodingKeys: String, CodingKey {
        case auditID = "audit_id"
        case startedAt = "started_at"
        case status, phases
        case elapsedMs = "elapsed_ms"
    }
}

/// The audit (SPEC §6): phases 0–7, run one after another, each bounded by
/// `OBSERVERD_PHASE_TIMEOUT_MS`. A phase whose target is down, answers 503, or runs out of time is
/// `unavailable` with the reason — never a failed audit, a hang or a crash. `fail` is kept for
/// evidence that something is wrong (a schema violation, a leak, a non-deterministic export, a
/// broken chain, an invariant, a regression).
struct AuditRunner: Sendable {
    let peers: PeerClient
    let config: ObserverConfig
    let fleet: FleetProbe

    static let names = ["fleet inventory and health", "schema tests of every JSONL artifact", "materializer dry run", "score distribution",
                        "export firewall and determinism", "run summaries", "acceptance: 22 invariants over fixtures", "replay"]

    enum Outcome: Sendable {
        case pass(String), fail(String), unavailable(String)
    }

    func run() async -> AuditReport {
        let started = MonotonicClock.nanoseconds()
        let startedAt = ArtifactClock.now()
        var phases: [PhaseResult] = []
        let steps: [@Sendable () async -> Outcome] = [
            { await fleetHealth() }, { await offloaded { schemas() } }, { await materializerDryRun() }, { await offloaded { scoreDistribution() } },
            { await exportFirewall() }, { await runSummaries() }, { acceptance() }, { await replay() },
        ]
        for (index, step) in steps.enumerated() {
            let t0 = MonotonicClock.nanoseconds()
            let timeout = config.phaseTimeoutMs
            let outcome = await bounded(timeout, fallback: { Outcome.unavailable("timed out after \(timeout) ms") }, step)
            let (status, detail): (String, String) = switch outcome {
            case .pass(let text): ("pass", text)
            case .fail(let text): ("fail", text)
            case .unavailable(let text): ("unavailable", text)
            }
            phases.append(PhaseResult(phase: index, name: Self.names[index], status: status, detail: detail,
                                      elapsedMs: (Double(MonotonicClock.nanoseconds() - t0) / 1e3).rounded() / 1e3))
        }
        let status = phases.contains { $0.status == "fail" } ? "fail" : (phases.allSatisfy { $0.status == "pass" } ? "pass" : "degraded")
        return AuditReport(auditID: UUID().uuidString.lowercased(), startedAt: startedAt, status: status, phases: phases,
                           elapsedMs: (Double(MonotonicClock.nanoseconds() - started) / 1e3).rounded() / 1e3)
    }

    // MARK: - Phases

    /// 0: every daemon's /healthz. Down daemons make it unavailable (named); one answering but not healthy fails it.
    func fleetHealth() async -> Outcome {
        let view = await fleet.view()
        let unhealthy = view.daemons.filter { $0.status == "unhealthy" }.map(\.daemon)
        let versions = Set(view.daemons.compactMap(\.version))
        if !unhealthy.isEmpty { return .fail("not healthy: \(unhealthy.joined(separator: ", "))") }
        if versions.count > 1 { return .fail("mixed versions: \(versions.sorted().joined(separator: ", "))") }
        if !view.down.isEmpty { return .unavailable("down: \(view.down.joined(separator: ", ")); \(view.up) of \(view.daemons.count) up") }
        return .pass("\(view.up) of \(view.daemons.count) daemons healthy, version \(versions.first ?? "?")")
    }

    /// 1: every line of every artifact file against its canonical schema (the compiled-in copies).
    func schemas() -> Outcome {
        var checked: [String] = []
        var problems: [String] = []
        for (path, schema) in ArtifactSchema.artifactFiles(config.paths) {
            guard FileManager.default.fileExists(atPath: path), let validator = ArtifactSchema.validator(schema) else { continue }
            var lines = 0
            do {
                try JSONLinesFile.forEachLine(path) { line, number in
                    lines += 1
                    guard let value = JSONParsing.value(line) else {
                        problems.append("\(Self.relative(path, config.dataRoot)) line \(number): not JSON")
                        return problems.count < 5
                    }
                    let errors = validator.errors(value, limit: 1)
                    if let first = errors.first { problems.append("\(Self.relative(path, config.dataRoot)) line \(number): \(first)") }
                    return problems.count < 5
                }
            } catch {
                return .unavailable("cannot read \(path): \(error)")
            }
            checked.append("\(Self.relative(path, config.dataRoot)) \(lines)")
        }
        if !problems.isEmpty { return .fail(problems.joined(separator: "; ")) }
        return .pass(checked.isEmpty ? "no artifact files yet" : "valid: " + checked.joined(separator: ", "))
    }

    /// 2: materializerd's dry run against journald.
    func materializerDryRun() async -> Outcome {
        switch await call(.materializerd, .POST, "/v1/materialize", body: Array(#"{"dry_run":true}"#.utf8)) {
        case .failure(let failure): return failure.outcome
        case .success(let body):
            let schemaFailures = body["quarantine_reasons"]?["schema"]?.numberValue ?? 0
            let summary = "would add \(Int(body["evidence_added"]?.numberValue ?? 0)) evidence, quarantine \(Int(body["quarantined_added"]?.numberValue ?? 0)), \(Int(body["pending_runs"]?.numberValue ?? 0)) pending, from \(Int(body["events_read"]?.numberValue ?? 0)) events"
            return schemaFailures > 0 ? .fail("\(Int(schemaFailures)) runs would fail the evidence schema; \(summary)") : .pass(summary)
        }
    }

    /// 3: the scored runs are consistent: scores in [0, 1] with 4 decimals, categories known,
    /// sft_eligible exactly for accepted/corrected, one scored run per evidence record.
    func scoreDistribution() -> Outcome {
        var categories: [String: Int] = [:]
        var problems: [String] = []
        var count = 0
        do {
            try JSONLinesFile.forEachLine(config.paths.scored) { line, number in
                count += 1
                guard let run = try? JSONValueDecoder.decode(ScoredRun.self, fromBytes: line) else {
                    problems.append("line \(number) does not decode")
                    return problems.count < 5
                }
                categories[run.category.rawValue, default: 0] += 1
                if !(0...1).contains(run.score) || (run.score * 10_000).rounded() / 10_000 != run.score { problems.append("line \(number): score \(run.score)") }
                if run.sftEligible != run.category.reachesSFT { problems.append("line \(number): sft_eligible \(run.sftEligible) for \(run.category.rawValue)") }
                return problems.count < 5
            }
            let evidence = try JSONLinesFile.count(config.paths.evidence)
            if evidence != count { problems.append("\(count) scored runs for \(evidence) evidence records") }
        } catch {
            return .unavailable("cannot read the scored runs: \(error)")
        }
        if !problems.isEmpty { return .fail(problems.joined(separator: "; ")) }
        let shares = categories.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return .pass(count == 0 ? "no scored runs yet" : "\(count) scored: \(shares)")
    }

    /// 4: SFT export twice → byte-identical; every SFT sample's run accepted or corrected; no
    /// personal data in any export line.
    func exportFirewall() async -> Outcome {
        let paths = config.paths
        var first: Data?
        for round in 0..<2 {
            switch await call(.materializerd, .POST, "/v1/export/sft", body: []) {
            case .failure(let failure): return failure.outcome
            case .success: break
            }
            let bytes = FileManager.default.contents(atPath: paths.export(.sft))
            if round == 0 { first = bytes } else if bytes != first { return .fail("two SFT exports of the same evidence differ") }
        }
        return await offloaded {
            var eligible: [String: Bool] = [:]
            var problems: [String] = []
            var samples = 0
            do {
                try JSONLinesFile.forEachLine(paths.scored) { line, _ in
                    if let run = try? JSONValueDecoder.decode(ScoredRun.self, fromBytes: line) { eligible[run.runID] = run.category.reachesSFT }
                    return true
                }
                try JSONLinesFile.forEachLine(paths.exportMetadata(.sft)) { line, number in
                    let run = JSONParsing.value(line)?["run_id"]?.stringValue ?? ""
                    if eligible[run] != true { problems.append("sft sample \(number) comes from run \(run), which may not reach SFT") }
                    return problems.count < 5
                }
                for kind in ExportKind.allCases {
                    try JSONLinesFile.forEachLine(paths.export(kind)) { line, number in
                        samples += 1
                        // The sample's words, not its identifiers: a run id's hex digits are not an SSN.
                        let text = JSONParsing.value(line).map(AuditRunner.sampleText) ?? String(decoding: line, as: UTF8.self)
                        let findings = PersonalDataScan.findings(in: text)
                        if !findings.isEmpty { problems.append("\(kind.rawValue) line \(number): \(findings.map(\.rawValue).joined(separator: ", "))") }
                        return problems.count < 5
                    }
                }
            } catch {
                return .unavailable("cannot read the exports: \(error)")
            }
            return problems.isEmpty ? .pass("SFT export deterministic; \(samples) export lines clean; firewall held") : .fail(problems.joined(separator: "; "))
        }
    }

    /// 5: journald's chain verifies; finished runs summarised (valid share, attempts).
    func runSummaries() async -> Outcome {
        let verify: JSONValue
        switch await call(.journald, .GET, "/v1/verify", body: []) {
        case .failure(let failure): return failure.outcome
        case .success(let body): verify = body
        }
        if verify["ok"]?.boolValue == false { return .fail("the journal chain does not verify: \(JSONCoding.string(verify).prefix(300))") }
        switch await call(.journald, .GET, "/v1/events?type=\(FillRunEventType.finished)&limit=1000", body: []) {
        case .failure(let failure): return failure.outcome
        case .success(let body):
            let runs = body["events"]?.arrayValue ?? []
            let valid = runs.filter { $0["payload"]?["valid"]?.boolValue == true }.count
            let attempts = runs.compactMap { $0["payload"]?["attempts"]?.numberValue }
            let mean = attempts.isEmpty ? 0 : attempts.reduce(0, +) / Double(attempts.count)
            return .pass(String(format: "chain verifies; latest %d finished runs: %d valid, mean %.2f attempts", runs.count, valid, mean))
        }
    }

    /// 6: the 22 invariants over the compiled-in fixtures (and the canary must be caught).
    func acceptance() -> Outcome {
        let (checked, problems) = AcceptanceFixtures.check()
        return problems.isEmpty ? .pass("\(AcceptanceFixtures.cases.count) fixtures, \(checked) invariant checks as expected (canary caught)")
            : .fail(problems.prefix(5).joined(separator: "; "))
    }

    /// 7: replay a few recorded runs through today's fleet; a regression fails the phase.
    func replay() async -> Outcome {
        switch await call(.replayd, .POST, "/v1/replay", body: Array(#"{"limit":3}"#.utf8)) {
        case .failure(let failure): return failure.outcome
        case .success(let body):
            let verdicts = (body["runs"]?.arrayValue ?? []).compactMap { $0["verdict"]?.stringValue }
            let regressions = verdicts.filter { $0 == "regression" }.count
            let text = verdicts.isEmpty ? "nothing recorded to replay yet" : "\(verdicts.count) replayed: " +
                Dictionary(grouping: verdicts, by: { $0 }).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count)" }.joined(separator: ", ")
            return regressions > 0 ? .fail(text) : .pass(text)
        }
    }

    // MARK: - Calls

    /// A peer call whose failure is already the phase's outcome: unreachable, 502/503/504 →
    /// unavailable; another non-2xx → fail; an answer that is not JSON → fail.
    func call(_ daemon: Daemon, _ method: HTTPMethod, _ target: String, body: [UInt8]) async -> Result<JSONValue, OutcomeError> {
        let response: HTTPClientResponse
        do {
            response = try await peers.send(daemon, method, target, body: body, timeoutMs: config.phaseTimeoutMs)
        } catch {
            return .failure(OutcomeError(.unavailable("\(daemon.rawValue) is unavailable: \(error)")))
        }
        let text = String(decoding: response.body.prefix(300), as: UTF8.self)
        if [502, 503, 504].contains(Int(response.status.code)) {
            return .failure(OutcomeError(.unavailable("\(daemon.rawValue) answered \(response.status.code): \(text)")))
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            return .failure(OutcomeError(.fail("\(daemon.rawValue) answered \(response.status.code) to \(method) \(target): \(text)")))
        }
        guard let value = JSONParsing.value(response.body) else { return .failure(OutcomeError(.fail("\(daemon.rawValue) answered with something that is not JSON"))) }
        return .success(value)
    }

    struct OutcomeError: Error {
        let outcome: Outcome
        init(_ outcome: Outcome) { self.outcome = outcome }
    }

    static func relative(_ path: String, _ root: String) -> String { path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path }
}

extension AuditRunner {
    /// Identifier fields of an export line (the run it came from, worker ids, the chunk's metadata),
    /// which the personal-data scan must not read as numbers a person could be identified by.
    static let identifierKeys: Set<String> = ["id", "run_id", "worker_ids", "metadata"]

    /// Every string of an export line outside its identifier fields, one per line.
    static func sampleText(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .array(let items): return items.map(sampleText).joined(separator: "\n")
        case .object(let fields): return fields.filter { !identifierKeys.contains($0.key) }.map { sampleText($0.value) }.joined(separator: "\n")
        default: return ""
        }
    }
}
