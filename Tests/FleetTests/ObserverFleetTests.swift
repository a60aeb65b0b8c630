import Foundation
import Glibc
import LakehouseKit
import Testing

/// observerd as a real process: fail-safe when its targets are down.
@Suite(.serialized) struct ObserverFleetTests {
    /// Addresses that refuse connections for as long as the returned sockets stay open (bound, never
    /// listening), for every daemon not in `running`: the fleet's own free ports could be taken by
    /// another test's daemons meanwhile, and observerd would probe those.
    func deadAddresses(except running: Set<Daemon>) -> (environment: [String: String], sockets: [Int32]) {
        var environment: [String: String] = [:]
        var sockets: [Int32] = []
        for daemon in Daemon.allCases where !running.contains(daemon) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            environment[daemon.addressVariable] = "127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
            sockets.append(fd)
        }
        return (environment, sockets)
    }

    @Test func withTargetsDownTheAuditAnswers200InBoundedTimeWithUnavailablePhases() async throws {
        let dead = deadAddresses(except: [.observerd])
        defer { dead.sockets.forEach { close($0) } }
        let fleet = try Fleet(extraEnvironment: dead.environment)
        defer { fleet.removeData() }
        // Only observerd runs: journald, replayd, chatd, materializerd … are all down.
        try fleet.start([.observerd], environment: ["OBSERVERD_PHASE_TIMEOUT_MS": "3000", "OBSERVERD_PROBE_TIMEOUT_MS": "300"])
        #expect(await fleet.waitUntilReady(.observerd), "\(fleet.process(.observerd).log)")
        let started = Date()
        let response = try await fleet.request(.observerd, .POST, "/v1/audit/full", body: "{}", timeoutMs: 60_000)
        let elapsed = Date().timeIntervalSince(started)
        #expect(response.status == .ok, "\(response.text)")
        #expect(elapsed < 30, "audit took \(elapsed) s")
        let phases = (response.json?["phases"] as? [[String: Any]]) ?? []
        #expect(phases.count == 8)
        let status = Dictionary(phases.compactMap { phase in (phase["phase"] as? Int).flatMap { key in (phase["status"] as? String).map { (key, $0) } } }, uniquingKeysWith: { first, _ in first })
        #expect(status[0] == "unavailable")  // fleet inventory: daemons down
        #expect(status[2] == "unavailable")  // materializer dry run
        #expect(status[4] == "unavailable")  // export firewall (materializerd)
        #expect(status[5] == "unavailable")  // run summaries (journald)
        #expect(status[7] == "unavailable")  // replay (replayd)
        #expect(status[1] == "pass" && status[3] == "pass" && status[6] == "pass")
        #expect(response.json?["status"] as? String == "degraded")
        #expect(fleet.process(.observerd).isRunning)

        let view = try await fleet.request(.observerd, .GET, "/v1/fleet", timeoutMs: 10_000)
        #expect(view.status == .ok)
        let daemons = (view.json?["daemons"] as? [[String: Any]]) ?? []
        #expect(daemons.count == 11)
        let observer = daemons.first { $0["daemon"] as? String == "observerd" }
        #expect(observer?["status"] as? String == "ok")
        #expect((observer?["rss_bytes"] as? Double ?? 0) > 0)
        #expect(daemons.first { $0["daemon"] as? String == "journald" }?["status"] as? String == "down")
    }

    @Test func aKilledTargetMidFleetMakesItsPhasesUnavailableNotFailed() async throws {
        let dead = deadAddresses(except: [.journald, .materializerd, .observerd])
        defer { dead.sockets.forEach { close($0) } }
        let fleet = try Fleet(extraEnvironment: dead.environment)
        defer { fleet.removeData() }
        try fleet.start([.journald, .materializerd, .observerd], environment: ["OBSERVERD_PHASE_TIMEOUT_MS": "5000", "MATERIALIZERD_GRACE_S": "0"])
        #expect(await fleet.waitUntilReady(.observerd))
        #expect(await fleet.waitUntilReady(.materializerd))
        let events = try PythonScript.generatedEvents(runs: 40, seed: 3)
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["events": events]), as: UTF8.self)
        #expect(try await fleet.request(.journald, .POST, "/v1/events", body: body, timeoutMs: 30_000).status == .ok)
        #expect(try await fleet.request(.materializerd, .POST, "/v1/materialize", body: "{}", timeoutMs: 30_000).status == .ok)
        for kind in ["sft", "rag", "preference"] {
            #expect(try await fleet.request(.materializerd, .POST, "/v1/export/\(kind)", timeoutMs: 30_000).status == .ok)
        }
        let baseline = try await fleet.request(.observerd, .POST, "/v1/audit/baselines", timeoutMs: 30_000)
        #expect(baseline.status == .ok, "\(baseline.text)")
        #expect((baseline.json?["evidence_count"] as? Int ?? 0) > 0)

        let before = try await fleet.request(.observerd, .POST, "/v1/audit/full", timeoutMs: 60_000)
        let phasesBefore = Dictionary(((before.json?["phases"] as? [[String: Any]]) ?? []).compactMap { phase in (phase["phase"] as? Int).flatMap { key in (phase["status"] as? String).map { (key, $0) } } }, uniquingKeysWith: { first, _ in first })
        for phase in [1, 2, 3, 4, 5, 6] { #expect(phasesBefore[phase] == "pass", "phase \(phase): \(before.text)") }

        fleet.process(.journald).killHard()
        let after = try await fleet.request(.observerd, .POST, "/v1/audit/full", timeoutMs: 60_000)
        #expect(after.status == .ok)
        let phasesAfter = Dictionary(((after.json?["phases"] as? [[String: Any]]) ?? []).compactMap { phase in (phase["phase"] as? Int).flatMap { key in (phase["status"] as? String).map { (key, $0) } } }, uniquingKeysWith: { first, _ in first })
        #expect(phasesAfter[5] == "unavailable")
        #expect(phasesAfter[2] == "unavailable")
        #expect(!phasesAfter.values.contains("fail"), "\(after.text)")
        #expect(fleet.process(.observerd).isRunning)

        for (target, body) in [("/v1/audit/full", "{\"x\":1}"), ("/v1/audit/baselines", "[")] {
            #expect(try await fleet.request(.observerd, .POST, target, body: body).status.code == 400)
        }
    }
}
