import Foundation
import LakehouseKit

/// `lakehouse status [--json] [--gateway URL]`: every daemon's `/healthz` and `/readyz`, asked
/// directly at its address (`LAKEHOUSE_<DAEMON>_ADDR`, else its default port), concurrently.
/// Exit 0 when all are up and ready, 1 when some are down or not ready, 3 when none answers.
struct StatusCommand {
    static let usage = """
        usage: lakehouse status [--json] [--gateway URL]
        every daemon's health, version, uptime and readiness (exit 1: some down or not ready; 3: none answers).
        """

    let arguments: [String]

    struct Row: Encodable, Sendable {
        let daemon: String
        let address: String
        let status: String
        let ready: Bool
        let version: String?
        let uptime_s: Double?
        let reasons: [String]
    }

    func run() async throws -> Bool {
        let (call, positional) = try GatewayCall.parse(arguments, usage: Self.usage)
        guard positional.isEmpty else { throw CLIOptions.UsageError(description: Self.usage) }
        var addresses: [(Daemon, SocketAddress)] = []
        for daemon in Daemon.allCases {
            addresses.append((daemon, daemon == .gateway ? try call.gateway ?? CLIOptions.address(daemon) : try CLIOptions.address(daemon)))
        }
        let rows = await withTaskGroup(of: (Int, Row).self) { group in
            for (index, (daemon, address)) in addresses.enumerated() {
                group.addTask { (index, await Self.probe(daemon, address)) }
            }
            var rows: [(Int, Row)] = []
            for await row in group { rows.append(row) }
            return rows.sorted { $0.0 < $1.0 }.map(\.1)
        }
        if call.json {
            print(String(decoding: try JSONCoding.encode(rows), as: UTF8.self))
        } else {
            print("DAEMON\tADDRESS\tSTATUS\tREADY\tVERSION\tUPTIME")
            for row in rows {
                let uptime = row.uptime_s.map { String(format: "%.0fs", $0) } ?? "-"
                print("\(row.daemon)\t\(row.address)\t\(row.status)\t\(row.ready ? "yes" : "no")\t\(row.version ?? "-")\t\(uptime)\(row.reasons.isEmpty ? "" : "\t" + row.reasons.joined(separator: "; "))")
            }
        }
        if rows.allSatisfy({ $0.status == "down" }) { throw GatewayCall.Unreachable(description: "no daemon answers; the fleet is down") }
        return rows.allSatisfy { $0.status == "ok" && $0.ready }
    }

    static func probe(_ daemon: Daemon, _ address: SocketAddress) async -> Row {
        let client = HTTPClient(configuration: .init(connectTimeoutMs: 1_000, requestTimeoutMs: 3_000))
        var headers = CLIOptions.headers()
        headers.remove("Content-Type")
        guard let health = try? await client.send(HTTPClientRequest(method: .GET, target: "/healthz", headers: headers), to: address) else {
            return Row(daemon: daemon.rawValue, address: address.description, status: "down", ready: false, version: nil, uptime_s: nil, reasons: [])
        }
        let body = try? JSONCoding.decode(JSONValue.self, from: health.body)
        let ready = try? await client.send(HTTPClientRequest(method: .GET, target: "/readyz", headers: headers), to: address)
        let reasons = ((try? ready.map { try JSONCoding.decode(JSONValue.self, from: $0.body) }) ?? nil)?["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return Row(daemon: daemon.rawValue, address: address.description, status: health.status == .ok ? (body?["status"]?.stringValue ?? "ok") : "unhealthy",
                   ready: ready?.status == .ok, version: body?["version"]?.stringValue, uptime_s: body?["uptime_s"]?.numberValue, reasons: reasons)
    }
}
