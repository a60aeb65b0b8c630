import Foundation
import Synchronization

/// `/healthz`, `/readyz`, `/metrics`, `/version`: the same on every daemon (SPEC §4).
struct StandardEndpoints: Sendable {
    struct Readiness: Encodable {
        let status: String
        let daemon: String
        let reasons: [String]
    }

    struct Version: Encodable {
        let daemon: String
        let version: String
        let pid: Int32
    }

    let daemon: Daemon
    let startedAt: UInt64
    let started: StartupFlag
    let metrics: MetricsRegistry
    let service: any DaemonService

    func register(_ router: inout Router) {
        let daemon = self.daemon
        let startedAt = self.startedAt
        let metrics = self.metrics
        // Liveness is polled often (systemd, Scripts/status, load balancers): built by hand, no encoder.
        let healthPrefix = #"{"daemon":"\#(daemon.rawValue)","status":"ok","uptime_s":"#
        let healthSuffix = #","version":"\#(LakehouseVersion.current)"}"#
        router.inline(.GET, "/healthz") { _ in
            let uptimeMs = (MonotonicClock.nanoseconds() &- startedAt) / 1_000_000
            let uptime = "\(uptimeMs / 1000).\(String(uptimeMs % 1000 + 1000).dropFirst())"
            return .json(bytes: Array((healthPrefix + uptime + healthSuffix).utf8))
        }
        router.inline(.GET, "/version") { _ in
            .json(Version(daemon: daemon.rawValue, version: LakehouseVersion.current, pid: getpid()))
        }
        router.inline(.GET, "/metrics") { _ in
            .text(metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        let readiness = self
        router.get("/readyz") { _ in
            let reasons = await readiness.problems()
            if reasons.isEmpty {
                return .json(Readiness(status: "ready", daemon: daemon.rawValue, reasons: []))
            }
            return .json(Readiness(status: "not_ready", daemon: daemon.rawValue, reasons: reasons), status: .serviceUnavailable)
        }
    }

    func problems() async -> [String] {
        guard started.isSet else { return ["starting: state is still loading"] }
        return await service.readinessProblems()
    }
}

/// Set once the service's state has loaded; `/readyz` is 503 until then.
final class StartupFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
