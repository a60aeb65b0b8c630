import Foundation
import LakehouseKit

/// `GET /v1/fleet`: every daemon's health, version, uptime and RSS, each probed with a short
/// timeout, all at once; a daemon that does not answer is `down`, never an error of the view.
struct DaemonStatus: Codable, Sendable, Hashable {
    var daemon: String
    /// "ok", "down" or "unhealthy".
    var status: String
    var version: String?
    var uptimeS: Double?
    var rssBytes: Double?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case daemon, status, version
        case uptimeS = "uptime_s"
        case rssBytes = "rss_bytes"
        case error
    }
}

struct FleetView: Codable, Sendable {
    var daemons: [DaemonStatus]
    var up: Int
    var down: [String]
}

struct FleetProbe: Sendable {
    let peers: PeerClient
    let timeoutMs: Int

    func view() async -> FleetView {
        let statuses = await withTaskGroup(of: DaemonStatus.self) { group in
            for daemon in Daemon.allCases { group.addTask { await probe(daemon) } }
            var out: [DaemonStatus] = []
            for await status in group { out.append(status) }
            return out.sorted { Daemon.allCases.firstIndex(of: Daemon(rawValue: $0.daemon)!)! < Daemon.allCases.firstIndex(of: Daemon(rawValue: $1.daemon)!)! }
        }
        return FleetView(daemons: statuses, up: statuses.filter { $0.status == "ok" }.count, down: statuses.filter { $0.status == "down" }.map(\.daemon))
    }

    func probe(_ daemon: Daemon) async -> DaemonStatus {
        var status = DaemonStatus(daemon: daemon.rawValue, status: "down")
        let health: HTTPClientResponse
        do {
            health = try await peers.send(daemon, .GET, "/healthz", timeoutMs: timeoutMs)
        } catch {
            status.error = "\(error)"
            return status
        }
        guard health.status == .ok, let body = JSONParsing.value(health.body) else {
            status.status = "unhealthy"
            status.error = "GET /healthz answered \(health.status.code)"
            return status
        }
        status.status = "ok"
        status.version = body["version"]?.stringValue
        status.uptimeS = body["uptime_s"]?.numberValue
        if let metrics = try? await peers.send(daemon, .GET, "/metrics", timeoutMs: timeoutMs), metrics.status == .ok {
            status.rssBytes = Self.gauge("process_resident_memory_bytes", in: String(decoding: metrics.body, as: UTF8.self))
        }
        return status
    }

    /// The value of an unlabelled gauge in Prometheus text.
    static func gauge(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
