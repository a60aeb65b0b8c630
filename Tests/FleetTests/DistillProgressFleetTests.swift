import Foundation
import LakehouseKit
import Testing

/// Progress of long distillation work: `GET /v1/materialize/status` and `/v1/replay/status`
/// (through the gateway) idle and while a materialization runs, and the CLI's progress lines on a
/// pipe (not a terminal: plain lines, no redrawn bar).
@Suite(.serialized) struct DistillProgressFleetTests {
    /// Events into journald in batches (the distill fleet tests' helper).
    func post(_ fleet: Fleet, _ events: [[String: Any]]) async throws { try await DistillFleetTests().post(fleet, events) }

    func status(_ fleet: Fleet, _ target: String) async throws -> [String: Any] {
        let response = try await fleet.request(.gateway, .GET, target, timeoutMs: 5_000)
        #expect(response.status == .ok, "\(target): \(response.text)")
        return try #require(response.json, "\(target): \(response.text)")
    }

    @Test func statusAnswersIdleAndWhileAMaterializationRunsAndTheCLIPrintsProgressLines() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.journald, .materializerd, .replayd, .gateway], environment: ["MATERIALIZERD_GRACE_S": "0", "MATERIALIZERD_PAGE_SIZE": "100"])
        for daemon in [Daemon.journald, .materializerd, .replayd, .gateway] { #expect(await fleet.waitUntilReady(daemon), "\(daemon)") }

        // Idle: nothing has run yet.
        let idle = try await status(fleet, "/v1/materialize/status")
        #expect(idle["running"] as? Bool == false && idle["done"] as? Int == 0 && idle["unit"] as? String == "events", "\(idle)")
        let replayIdle = try await status(fleet, "/v1/replay/status")
        #expect(replayIdle["running"] as? Bool == false && replayIdle["unit"] as? String == "runs", "\(replayIdle)")

        // The CLI on a pipe: the answer on stdout, plain progress lines (no carriage-return bar).
        let first = try PythonScript.generatedEvents(runs: 200, seed: 11)
        try await post(fleet, first)
        let (cliStatus, output) = try fleet.runCLI(["materialize"])
        #expect(cliStatus == 0, "\(output)")
        #expect(output.contains("materialize: \(first.count)/\(first.count) events done"), "\(output)")
        #expect(output.contains("evidence_added: "), "\(output)")
        #expect(!output.contains("\r"), "\(output)")
        let afterCLI = try await status(fleet, "/v1/materialize/status")
        #expect(afterCLI["running"] as? Bool == false && afterCLI["done"] as? Int == first.count && afterCLI["total"] as? Int == first.count, "\(afterCLI)")

        // While a materialization runs, the status says so, with done ≤ total of the new events.
        let second = try PythonScript.generatedEvents(runs: 1_500, seed: 12)
        try await post(fleet, second)
        let pass = Task { try await fleet.request(.materializerd, .POST, "/v1/materialize", body: "{}", timeoutMs: 120_000) }
        var seenRunning: [String: Any]?
        for _ in 0..<2_000 where seenRunning == nil {
            let reading = try await status(fleet, "/v1/materialize/status")
            if reading["running"] as? Bool == true, (reading["done"] as? Int ?? 0) > 0 { seenRunning = reading }
            try await Task.sleep(for: .milliseconds(5))
        }
        let finished = try await pass.value
        #expect(finished.status == .ok, "\(finished.text)")
        let running = try #require(seenRunning, "no status reading showed the materialization running")
        let total = running["total"] as? Int ?? 0
        #expect(total == second.count, "\(running)")
        #expect((running["done"] as? Int ?? 0) <= total, "\(running)")
        let done = try await status(fleet, "/v1/materialize/status")
        #expect(done["running"] as? Bool == false && done["done"] as? Int == second.count, "\(done)")
        let resolved = ["evidence_added", "quarantined_added", "failed_runs"].map { finished.json?[$0] as? Int ?? 0 }.reduce(0, +)
        #expect(resolved > 0 && done["runs"] as? Int == resolved, "\(done)")
        _ = fleet.stop()
    }
}
