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
        for arguments in [["status"], ["status", "--json"], ["journal", "verify"], ["journal", "events"], ["audit", "full"], ["export", "sft"], ["replay"]] {
            let (status, output) = try fleet.runCLI(arguments)
            #expect(status == 3, "\(arguments): \(output)")
        }
        for arguments in [["status", "--bogus"], ["journal", "verify", "--bogus"], ["journal"], ["journal", "proof"], ["audit", "half"],
                          ["export", "csv"], ["replay", "--limit", "zero"], ["journal", "events", "--gateway", "https://example.com"], ["fill", "x", "--bogus"]] {
            let (status, output) = try fleet.runCLI(arguments)
            #expect(status == 2, "\(arguments): \(output)")
        }
        for command in ["status", "journal", "audit", "export", "replay", "fill"] {
            let (status, output) = try fleet.runCLI([command, "--help"])
            #expect(status == 0 && output.contains("usage: lakehouse \(command)"), "\(command) --help: \(output)")
        }
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
