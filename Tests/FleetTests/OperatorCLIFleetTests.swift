import Foundation
import Glibc
import LakehouseKit
import Testing

/// The operator CLI against real processes: exit codes (0 ok, 1 failed check, 2 usage, 3
/// unreachable), `--help` on every command, `--json` that parses.
@Suite(.serialized) struct OperatorCLIFleetTests {
    @Test func theCLISendsTheAPIKey() async throws {
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_API_KEYS": "k-one,k-two"])
        defer { fleet.removeData() }
        try fleet.start([.journald, .gateway])
        #expect(await fleet.waitUntilReady(.journald))
        #expect(await fleet.waitUntilReady(.gateway))
        // Without LAKEHOUSE_API_KEY the call is refused (1); with it the journal is verified (0).
        let (refused, refusedOutput) = try fleet.runCLI(["journal", "verify"])
        #expect(refused == 1 && refusedOutput.contains("unauthorized"), "\(refusedOutput)")
        let (verified, output) = try fleet.runCLI(["journal", "verify", "--json"], environment: ["LAKEHOUSE_API_KEY": "k-one"])
        #expect(verified == 0, "\(output)")
        #expect((try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])?["ok"] as? Bool == true, "\(output)")
        _ = fleet.stop()
    }

    @Test func exportAuditAndReplayAnswerWithJSONThatParses() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.journald, .materializerd, .observerd, .replayd, .gateway],
                        environment: ["MATERIALIZERD_GRACE_S": "0", "OBSERVERD_PHASE_TIMEOUT_MS": "5000", "OBSERVERD_PROBE_TIMEOUT_MS": "300"])
        for daemon in [Daemon.journald, .materializerd, .observerd, .replayd, .gateway] { #expect(await fleet.waitUntilReady(daemon), "\(daemon)") }
        for kind in ["sft", "rag", "preference"] {
            let (status, output) = try fleet.runCLI(["export", kind, "--json"])
            let answer = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            #expect(status == 0 && answer?["kind"] as? String == kind, "\(kind): \(output)")
        }
        let (baselineStatus, baseline) = try fleet.runCLI(["audit", "baselines", "--json"])
        #expect(baselineStatus == 0 && (try? JSONSerialization.jsonObject(with: Data(baseline.utf8))) is [String: Any], "\(baseline)")
        let (auditStatus, audit) = try fleet.runCLI(["audit", "full", "--json"])
        let report = try? JSONSerialization.jsonObject(with: Data(audit.utf8)) as? [String: Any]
        let overall = try #require(report?["status"] as? String, "\(audit)")
        #expect((report?["phases"] as? [Any])?.count == 8, "\(audit)")
        #expect(auditStatus == (overall == "fail" ? 1 : 0), "\(overall): \(audit)")
        let (humanStatus, human) = try fleet.runCLI(["audit", "full"])
        #expect(humanStatus == auditStatus && human.contains("fleet inventory"), "\(human)")
        let (replayStatus, replay) = try fleet.runCLI(["replay", "--run-id", "no-such-run", "--json"])
        let replayed = try? JSONSerialization.jsonObject(with: Data(replay.utf8)) as? [String: Any]
        #expect(replayStatus == 0 && replayed?["unknown_run_ids"] as? [String] == ["no-such-run"], "\(replay)")
        _ = fleet.stop()
    }

    @Test func aFleetThatIsDownExits3AndABadFlagExits2() throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        let file = fleet.dataDirectory + "/records.jsonl"
        try Data(#"{"id":"W-1","role":"forklift operator"}"#.utf8).write(to: URL(fileURLWithPath: file))
        let deadGateway = "http://127.0.0.1:\(try Fleet.freePort())/"
        for arguments in [["status"], ["status", "--json"], ["journal", "verify"], ["journal", "events"], ["journal", "proof", "--seq", "1", "--json"],
                          ["audit", "full"], ["audit", "baselines", "--json"], ["export", "sft"], ["export", "rag", "--json"], ["replay"], ["replay", "--json"],
                          ["fill", "Need 2 forklift operators in Toledo, OH"], ["fill", "x", "--json", "--gateway", deadGateway],
                          ["ingest", file, "--corpus", "workers"], ["ingest", file, "--corpus", "workers", "--json", "--gateway", deadGateway],
                          ["seed", "--count", "20", "--data", fleet.dataDirectory], ["seed", "--count", "20", "--data", fleet.dataDirectory, "--json", "--gateway", deadGateway]] {
            let (status, stdout, stderr) = try fleet.runCLISeparately(arguments)
            #expect(status == 3, "\(arguments): \(stdout) \(stderr)")
            #expect(stderr.contains("not reachable") || stderr.contains("down"), "\(arguments): \(stderr)")
        }
        for arguments in [["status", "--bogus"], ["status", "extra"], ["status", "--gateway"], ["journal", "verify", "--bogus"], ["journal"], ["journal", "proof"],
                          ["audit", "half"], ["audit", "baselines", "--bogus"], ["export", "csv"], ["export", "sft", "--bogus"], ["replay", "--limit", "zero"],
                          ["journal", "events", "--gateway", "https://example.com"], ["fill", "x", "--bogus"], ["fill"], ["fill", "x", "--count", "0"],
                          ["gen", "--bogus"], ["gen", "--count", "0"], ["gen", "stray"], ["ingest", file], ["ingest", "--corpus", "workers"],
                          ["ingest", file, "--corpus", "workers", "--chunk", "-1"], ["seed", "--bogus"], ["seed", "--count", "many"], ["seed", "--gateway", "ftp://x"]] {
            let (status, stdout, stderr) = try fleet.runCLISeparately(arguments)
            #expect(status == 2, "\(arguments): \(stdout) \(stderr)")
            #expect(stdout.isEmpty && stderr.hasPrefix("lakehouse \(arguments[0]): "), "\(arguments): \(stdout) \(stderr)")
        }
        // --help (and -h) on every command and under every subcommand: the usage on stdout, exit 0.
        let helps: [[String]] = ["status", "fill", "ingest", "seed", "gen", "journal", "audit", "export", "replay"].flatMap { [[$0, "--help"], [$0, "-h"]] }
            + [["journal", "verify", "--help"], ["journal", "events", "--help"], ["journal", "proof", "--help"], ["audit", "baselines", "--help"],
               ["audit", "full", "--help"], ["export", "sft", "--help"], ["export", "rag", "--help"], ["export", "preference", "--help"],
               ["fill", "x", "--json", "--help"], ["ingest", file, "--corpus", "w", "--help"]]
        for arguments in helps {
            let (status, stdout, stderr) = try fleet.runCLISeparately(arguments)
            #expect(status == 0 && stdout.hasPrefix("usage: lakehouse \(arguments[0])") && stderr.isEmpty, "\(arguments): \(stdout) \(stderr)")
            #expect(stdout.contains("--gateway URL") && stdout.contains("--json"), "\(arguments): \(stdout)")
        }
        let (topStatus, top, _) = try fleet.runCLISeparately(["--help"])
        #expect(topStatus == 0 && ["status", "fill", "ingest", "seed", "gen", "journal", "audit", "export", "replay"].allSatisfy { top.contains("\n  \($0) ") }, "\(top)")
        #expect(try fleet.runCLISeparately(["no-such-command"]).status == 2)
    }

    /// `gen`, `ingest`, `seed`, `fill`, `status` and `journal` with `--gateway` and the API key: the
    /// calls go through the named gateway (the daemons' own addresses in the environment are dead),
    /// `--json` prints exactly one document on stdout (progress and messages go to stderr), and a
    /// missing key is a refused call (1).
    @Test func everyCommandWorksThroughTheNamedGatewayAndPrintsOneJSONDocument() async throws {
        // A small roster keeps this fleet light; whether the fill comes out valid does not matter here.
        let fill = try await FillFleet.start(workers: 300, environment: ["LAKEHOUSE_API_KEYS": "cli-key"])
        let fleet = fill.fleet
        defer { fleet.removeData() }
        let gateway = "http://127.0.0.1:\(fleet.ports[.gateway]!)"
        let dead = "127.0.0.1:\(try Fleet.freePort())"
        let keyed = ["LAKEHOUSE_API_KEY": "cli-key", "LAKEHOUSE_GATEWAY_ADDR": dead, "LAKEHOUSE_MATRIXD_ADDR": dead, "LAKEHOUSE_TRUTHD_ADDR": dead]
        func json(_ text: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }

        // gen: offline, one document.
        let out = fleet.dataDirectory + "/gen-json"
        let (genStatus, gen, _) = try fleet.runCLISeparately(["gen", "--count", "50", "--seed", "7", "--out", out, "--json"])
        let generated = json(gen) as? [String: Any]
        #expect(genStatus == 0 && generated?["workers"] as? Int == 50 && generated?["seed"] as? Int == 7 && generated?["out"] as? String == out, "\(gen)")
        #expect(FileManager.default.fileExists(atPath: out + "/workers.jsonl"))

        // fill through the named gateway: the answer as JSON, exit 0 when valid and 1 when not; without
        // the key, refused.
        let sentence = "Need 2 forklift operators in Columbus, OH for Monday 2nd shift"
        let (fillStatus, filled, _) = try fleet.runCLISeparately(["fill", sentence, "--gateway", gateway, "--json"], environment: keyed)
        let answer = try #require(json(filled) as? [String: Any], "\(filled)")
        let valid = try #require(answer["valid"] as? Bool, "\(filled)")
        #expect(fillStatus == (valid ? 0 : 1) && (answer["run_id"] as? String)?.isEmpty == false, "\(filled)")
        #expect((answer["attempts"] as? [Any])?.isEmpty == false, "\(filled)")
        if valid { #expect(((answer["fill"] as? [String: Any])?["candidates"] as? [Any])?.count == 2, "\(filled)") }
        var keyless = keyed
        keyless["LAKEHOUSE_API_KEY"] = nil
        let (refused, _, refusal) = try fleet.runCLISeparately(["fill", sentence, "--gateway", gateway], environment: keyless)
        #expect(refused == 1 && refusal.contains("unauthorized"), "\(refusal)")

        // ingest through the gateway (a part of the roster again, in chunks of 20): idempotent by id,
        // so the corpus still holds the roster once.
        let roster = fleet.dataDirectory + "/seed/workers.jsonl"
        let part = fleet.dataDirectory + "/part.jsonl"
        let lines = try String(contentsOfFile: roster, encoding: .utf8).split(separator: "\n").prefix(90)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: part))
        let (ingestStatus, ingested, progress) = try fleet.runCLISeparately(["ingest", part, "--corpus", "workers", "--chunk", "20", "--gateway", gateway, "--json"], environment: keyed)
        let report = json(ingested) as? [String: Any]
        #expect(ingestStatus == 0 && report?["records"] as? Int == 90 && report?["corpus"] as? String == "workers", "\(ingested) \(progress)")
        #expect(progress.contains("ingest workers: 90/90 records"), "\(progress)")
        #expect(try await fleet.request(.matrixd, .GET, "/v1/corpora/workers").json?["count"] as? Int == fill.roster.count)
        let (ingestRefused, _, ingestRefusal) = try fleet.runCLISeparately(["ingest", part, "--corpus", "workers", "--gateway", gateway], environment: keyless)
        #expect(ingestRefused == 1 && ingestRefusal.contains("unauthorized"), "\(ingestRefusal)")

        // seed through the gateway: the corpora exist and hold the roster; the claims are posted again
        // through the gateway once their marker is gone.
        try FileManager.default.removeItem(atPath: fleet.dataDirectory + "/seed/claims.posted")
        let claims = try String(contentsOfFile: fleet.dataDirectory + "/seed/claims.jsonl", encoding: .utf8).split(separator: "\n").count
        let (seedStatus, seeded, _) = try fleet.runCLISeparately(["seed", "--data", fleet.dataDirectory, "--gateway", gateway, "--json"], environment: keyed)
        let seedReport = json(seeded) as? [String: Any]
        #expect(seedStatus == 0 && seedReport?["corpora"] as? [String] == ["workers", "playbooks"], "\(seeded)")
        #expect(seedReport?["corpus_records_before"] as? Int == fill.roster.count && !(seedReport?["ingested"] is [String: Any]), "\(seeded)")
        #expect(seedReport?["claims"] as? String == "posted" && seedReport?["claims_posted"] as? Int == claims, "\(seeded)")
        let (seedAgain, again, _) = try fleet.runCLISeparately(["seed", "--data", fleet.dataDirectory, "--gateway", gateway], environment: keyed)
        #expect(seedAgain == 0 && again.contains("already holds \(fill.roster.count) records") && again.contains("claims already posted"), "\(again)")

        // status and journal name the gateway with --gateway too.
        let (statusCode, status, _) = try fleet.runCLISeparately(["status", "--gateway", gateway, "--json"], environment: ["LAKEHOUSE_GATEWAY_ADDR": dead])
        let rows = json(status) as? [[String: Any]] ?? []
        #expect(statusCode == 1 && rows.count == Daemon.allCases.count, "observerd and others are not started: \(status)")
        #expect(rows.first { $0["daemon"] as? String == "gateway" }?["status"] as? String == "ok", "\(status)")
        let (verified, verify, _) = try fleet.runCLISeparately(["journal", "verify", "--gateway", gateway, "--json"], environment: keyed)
        #expect(verified == 0 && (json(verify) as? [String: Any])?["ok"] as? Bool == true, "\(verify)")
        // The run's events reach the journal asynchronously: wait for them, then list them by the CLI.
        let decoded = try JSONDecoder().decode(FillAnswer.self, from: Data(filled.utf8))
        #expect(try await fill.events(of: decoded).contains { $0.type == FillRunEventType.finished })
        let (listed, events, _) = try fleet.runCLISeparately(["journal", "events", "--trace-id", decoded.runID, "--gateway", gateway, "--json"], environment: keyed)
        #expect(listed == 0 && ((json(events) as? [String: Any])?["events"] as? [Any])?.isEmpty == false, "\(events)")
        _ = fleet.stop()
    }

    @Test func aBrokenJournalFailsVerifyWith1AndJSONParses() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.journald, .gateway])
        #expect(await fleet.waitUntilReady(.journald))
        #expect(await fleet.waitUntilReady(.gateway))
        #expect(try await fleet.request(.journald, .POST, "/v1/events", body: JournalFleetTests.batch((1...30).map { JournalFleetTests.event($0) })).status == .ok)

        let (verified, verifyOutput) = try fleet.runCLI(["journal", "verify"])
        #expect(verified == 0 && verifyOutput.contains("journal verified"), "\(verifyOutput)")
        let (listed, events) = try fleet.runCLI(["journal", "events", "--trace-id", "trace-a", "--limit", "5", "--json"])
        let page = try? JSONSerialization.jsonObject(with: Data(events.utf8)) as? [String: Any]
        #expect(listed == 0 && (page?["events"] as? [Any])?.count == 5 && page?["next_since_seq"] as? Int == 5, "\(events)")
        let (proved, proof) = try fleet.runCLI(["journal", "proof", "--seq", "3", "--json"])
        #expect(proved == 0 && (try? JSONSerialization.jsonObject(with: Data(proof.utf8)) as? [String: Any])?["root"] != nil, "\(proof)")
        let (statusCode, statusOutput) = try fleet.runCLI(["status", "--json"])
        let rows = (try? JSONSerialization.jsonObject(with: Data(statusOutput.utf8)) as? [[String: Any]]) ?? []
        #expect(statusCode == 1, "some daemons are down: \(statusOutput)")
        #expect(rows.count == Daemon.allCases.count)
        #expect(rows.first { $0["daemon"] as? String == "journald" }?["ready"] as? Bool == true)
        #expect(rows.first { $0["daemon"] as? String == "vectord" }?["status"] as? String == "down")

        // A flipped byte in the middle of the segment: verify names it and exits 1.
        fleet.process(.journald).killHard()
        let directory = "\(fleet.dataDirectory)/journald"
        let name = try #require(JournalFleetTests.segments(fleet).last)
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: "\(directory)/\(name)")))
        let marker = Array("marker-0020".utf8)
        let at = try #require((0...(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker })
        bytes[at + 7] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
        try fleet.restart(.journald)
        var answered = false
        for _ in 0..<200 where !answered {
            answered = (try? await fleet.request(.journald, .GET, "/v1/verify"))?.status == .ok
            if !answered { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        let (broken, brokenOutput) = try fleet.runCLI(["journal", "verify"])
        #expect(broken == 1 && brokenOutput.contains("BROKEN"), "\(brokenOutput)")
        let (brokenJSON, report) = try fleet.runCLI(["journal", "verify", "--json"])
        let parsed = try? JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any]
        #expect(brokenJSON == 1 && parsed?["ok"] as? Bool == false && (parsed?["broken"] as? [String: Any])?["seq"] as? Int == 20, "\(report)")
        _ = fleet.stop()
    }
}

extension Fleet {
    /// Runs the CLI like `runCLI`, with stdout and stderr apart: `--json` must leave exactly one
    /// document on stdout whatever goes to stderr.
    func runCLISeparately(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try ChildProcess.run("\(DaemonProcess.binDirectory)/lakehouse", arguments, environment: environment.merging(extra) { $1 })
    }
}
