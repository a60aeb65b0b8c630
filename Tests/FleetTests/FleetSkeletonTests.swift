import Foundation
import Glibc
import Testing
import LakehouseKit

/// The eleven real binaries, as processes, on free ports.
@Suite(.serialized) struct FleetSkeletonTests {
    @Test func everyDaemonServesHealthReadinessAndMetricsAndSurvivesAPeerKill() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start()
        for daemon in Daemon.allCases {
            #expect(await fleet.waitUntilReady(daemon), "\(daemon) not ready:\n\(fleet.process(daemon).log)")
        }
        for daemon in Daemon.allCases {
            let health = try await fleet.request(daemon, .GET, "/healthz")
            #expect(health.status == .ok)
            #expect(health.json?["daemon"] as? String == daemon.rawValue)
            #expect(health.json?["status"] as? String == "ok")
            #expect(health.json?["version"] as? String == LakehouseVersion.current)
            let metrics = try await fleet.request(daemon, .GET, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains("lakehouse_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"))
            #expect(metrics.text.contains("process_resident_memory_bytes"))
            let version = try await fleet.request(daemon, .GET, "/version")
            #expect(version.json?["daemon"] as? String == daemon.rawValue)
        }

        // SIGKILL one daemon: the other ten keep answering.
        let victim = Daemon.vectord
        fleet.process(victim).killHard()
        do {
            _ = try await fleet.request(victim, .GET, "/healthz", timeoutMs: 1_000)
            Issue.record("\(victim) still answers after SIGKILL")
        } catch {
            #expect(error.isPeerDown)
        }
        for daemon in Daemon.allCases where daemon != victim {
            #expect(try await fleet.request(daemon, .GET, "/healthz").status == .ok, "\(daemon) after \(victim) died")
        }

        // Restart it alone: healthy again on the same port.
        try fleet.restart(victim)
        #expect(await fleet.waitUntilReady(victim))
        #expect(try await fleet.request(victim, .GET, "/healthz").status == .ok)

        // SIGTERM: every daemon drains and exits 0.
        for (daemon, status) in fleet.stop() {
            #expect(status == 0, "\(daemon) exit status \(String(describing: status))\n\(fleet.process(daemon).log)")
        }
    }

    @Test func badConfigurationExitsNonZeroWithOneClearLine() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.journald], environment: ["LAKEHOUSE_MAX_BODY": "lots"])
        let process = fleet.process(.journald)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(process.process?.terminationStatus == 2)
        let lines = process.log.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("LAKEHOUSE_MAX_BODY=lots is invalid") == true)
    }

    @Test func serviceTokenIsRequiredWhenSet() async throws {
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_SERVICE_TOKEN": "s3cret"])
        defer { fleet.removeData() }
        try fleet.start([.truthd])
        // /healthz stays open for liveness probes; everything else needs the token.
        let deadline = Date().addingTimeInterval(15)
        var health: HTTPClientResponse?
        while Date() < deadline {
            health = try? await fleet.request(.truthd, .GET, "/healthz")
            if health?.status == .ok { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(health?.status == .ok)
        let denied = try await fleet.request(.truthd, .GET, "/metrics")
        #expect(denied.status == .unauthorized)
        #expect((denied.json?["error"] as? [String: Any])?["code"] as? String == "unauthorized")
        let allowed = try await fleet.request(.truthd, .GET, "/metrics", headers: ["X-Lakehouse-Token": "s3cret"])
        #expect(allowed.status == .ok)
        _ = fleet.stop()
    }
}
