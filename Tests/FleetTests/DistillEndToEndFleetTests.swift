import Foundation
import Glibc
import LakehouseKit
import Testing

/// The issue's acceptance on the whole fleet: a few hundred real fills (local drafter, flaw rate
/// 0.25) → materialize → exports checked by independent tools → replay → audit, then targets
/// killed. Needs every daemon's real API and the `lakehouse seed` CLI (the fleet after the merge).
@Suite(.serialized) struct DistillEndToEndFleetTests {
    static let places = [("Toledo", "OH"), ("Columbus", "OH"), ("Cleveland", "OH"), ("Detroit", "MI"), ("Chicago", "IL"), ("Dallas", "TX")]
    static let roles = ["forklift operators", "warehouse associates", "order pickers", "welders", "janitors", "line cooks", "cashiers", "cdl drivers"]
    static let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

    func query(_ i: Int) -> String {
        let (city, state) = Self.places[i % Self.places.count]
        return "Need \(1 + i % 3) \(Self.roles[(i / 2) % Self.roles.count]) in \(city), \(state) for \(Self.days[i % Self.days.count]) \(["1st", "2nd", "3rd"][i % 3]) shift"
    }

    /// `lakehouse seed`: corpora, roster ingest, claims to truthd (the roster file is generated before
    /// the fleet starts, as Scripts/up does, so validatord loads it at start).
    func seed(_ fleet: Fleet) throws {
        let (status, output) = try fleet.runCLI(["seed", "--data", fleet.dataDirectory])
        #expect(status == 0, "lakehouse seed: \(output)")
    }

    func statuses(_ response: HTTPClientResponse) -> [Int: String] {
        Dictionary(((response.json?["phases"] as? [[String: Any]]) ?? []).compactMap { phase in (phase["phase"] as? Int).flatMap { key in (phase["status"] as? String).map { (key, $0) } } }, uniquingKeysWith: { first, _ in first })
    }

    @Test func aFewHundredRealFillsBecomeValidArtifactsReplayAndAudit() async throws {
        let fleet = try Fleet(extraEnvironment: ["CHATD_LOCAL_FLAW_RATE": "0.25", "MATERIALIZERD_GRACE_S": "0", "OBSERVERD_PHASE_TIMEOUT_MS": "20000"])
        defer { fleet.removeData() }
        let (generated, output) = try fleet.runCLI(["gen", "--count", "3000", "--out", fleet.dataDirectory + "/seed"])
        #expect(generated == 0, "\(output)")
        try fleet.start()
        for daemon in Daemon.allCases { #expect(await fleet.waitUntilReady(daemon, timeout: 60), "\(daemon) not ready: \(fleet.process(daemon).log.suffix(2000))") }
        try seed(fleet)

        var answered = 0
        var valid = 0
        for i in 0..<300 {
            let response = try await fleet.request(.gateway, .POST, "/v1/fill", body: #"{"query":"\#(query(i))"}"#, timeoutMs: 30_000)
            if response.status == .ok {
                answered += 1
                if response.json?["valid"] as? Bool == true { valid += 1 }
            }
        }
        #expect(answered >= 250, "only \(answered) of 300 fills answered")
        #expect(valid > 0)

        // The journal clients deliver in the background: materialize until every answered run is in.
        var evidence = 0
        for _ in 0..<30 {
            let pass = try await fleet.request(.materializerd, .POST, "/v1/materialize", body: "{}", timeoutMs: 120_000)
            #expect(pass.status == .ok, "\(pass.text)")
            evidence = pass.json?["evidence_total"] as? Int ?? 0
            if evidence >= answered { break }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        #expect(evidence == answered)
        let again = try await fleet.request(.materializerd, .POST, "/v1/materialize", body: "{}", timeoutMs: 120_000)
        #expect(again.json?["evidence_added"] as? Int == 0)
        for kind in ["sft", "rag", "preference"] {
            let first = try await fleet.request(.materializerd, .POST, "/v1/export/\(kind)", timeoutMs: 120_000)
            #expect(first.status == .ok, "\(first.text)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: fleet.dataDirectory + "/exports/\(kind).jsonl"))
            _ = try await fleet.request(.materializerd, .POST, "/v1/export/\(kind)", timeoutMs: 120_000)
            #expect(try Data(contentsOf: URL(fileURLWithPath: fleet.dataDirectory + "/exports/\(kind).jsonl")) == bytes)
        }

        // Replay on the unchanged fleet: no regression.
        let replay = try await fleet.request(.replayd, .POST, "/v1/replay", body: #"{"limit":30}"#, timeoutMs: 120_000)
        #expect(replay.status == .ok, "\(replay.text)")
        let verdicts = ((replay.json?["runs"] as? [[String: Any]]) ?? []).compactMap { $0["verdict"] as? String }
        #expect(!verdicts.isEmpty && !verdicts.contains("regression") && verdicts.contains("match"), "\(replay.text)")
        #expect(try await fleet.request(.replayd, .POST, "/v1/replay", body: #"{"limit":0}"#).status.code == 400)
        let unknown = try await fleet.request(.replayd, .POST, "/v1/replay", body: #"{"run_ids":["no-such-run"]}"#, timeoutMs: 30_000)
        #expect(unknown.status == .ok && (unknown.json?["unknown_run_ids"] as? [String]) == ["no-such-run"])

        let baseline = try await fleet.request(.observerd, .POST, "/v1/audit/baselines", timeoutMs: 60_000)
        #expect(baseline.status == .ok)
        let audit = try await fleet.request(.observerd, .POST, "/v1/audit/full", timeoutMs: 180_000)
        #expect(audit.status == .ok)
        #expect(statuses(audit).values.allSatisfy { $0 == "pass" } && statuses(audit).count == 8, "\(audit.text)")

        // Independent tools: every artifact against its schema, corruptions rejected, SftNever, no PII; datasets/TRL shapes.
        let artifacts = try PythonScript.run("check_artifacts.py", [fleet.dataDirectory, "--require",
                                                                     "evidence,scored_run,sft_sample,export_meta,rag_chunk,preference_pair,replay_run,audit_baseline"])
        #expect(artifacts.status == 0, "\(artifacts.output)\(artifacts.errors)")
        let training = try PythonScript.run("check_training_format.py", [fleet.dataDirectory + "/exports"])
        #expect(training.status == 0, "\(training.output)\(training.errors)")

        // A proposed worker made inactive → regression for the run that named them.
        // (A run that was never valid proposes nobody; take one that named workers.)
        let matched = try #require(((replay.json?["runs"] as? [[String: Any]]) ?? []).first {
            $0["verdict"] as? String == "match" && !(((($0["original"] as? [String: Any])?["worker_ids"] as? [String]) ?? []).isEmpty)
        }, "\(replay.text)")
        let runID = try #require(matched["run_id"] as? String)
        let worker = try #require(((matched["original"] as? [String: Any])?["worker_ids"] as? [String])?.first)
        let roster = try String(contentsOfFile: fleet.dataDirectory + "/seed/workers.jsonl", encoding: .utf8)
        let changed = roster.split(separator: "\n").map { line in
            line.contains(#""id":"\#(worker)""#) ? line.replacingOccurrences(of: #""status":"active""#, with: #""status":"inactive""#) : String(line)
        }.joined(separator: "\n") + "\n"
        #expect(changed != roster)
        try changed.write(toFile: fleet.dataDirectory + "/roster-changed.jsonl", atomically: true, encoding: .utf8)
        let reload = try await fleet.request(.validatord, .POST, "/v1/roster/reload", body: #"{"path":"\#(fleet.dataDirectory)/roster-changed.jsonl"}"#, timeoutMs: 60_000)
        #expect(reload.status == .ok, "\(reload.text)")
        let regressed = try await fleet.request(.replayd, .POST, "/v1/replay", body: #"{"run_ids":["\#(runID)"]}"#, timeoutMs: 60_000)
        #expect(((regressed.json?["runs"] as? [[String: Any]]) ?? []).first?["verdict"] as? String == "regression", "\(regressed.text)")

        // Targets killed: their phases unavailable, the audit still answers 200 in bounded time.
        for daemon in [Daemon.journald, .replayd, .chatd] { fleet.process(daemon).killHard() }
        let started = Date()
        let degraded = try await fleet.request(.observerd, .POST, "/v1/audit/full", timeoutMs: 180_000)
        #expect(degraded.status == .ok)
        #expect(Date().timeIntervalSince(started) < 170)
        let after = statuses(degraded)
        #expect(after[5] == "unavailable" && after[7] == "unavailable" && after[0] == "unavailable", "\(degraded.text)")
        #expect(!after.values.contains("fail"), "\(degraded.text)")
        #expect(fleet.process(.observerd).isRunning)
    }
}
