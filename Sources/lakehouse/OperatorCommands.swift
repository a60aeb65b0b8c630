import Foundation
import LakehouseKit

/// `lakehouse journal verify|events|proof`, `audit baselines|full`, `export sft|rag|preference`,
/// `replay`: one gateway call each, a short human rendering, the answer as is with `--json`.
/// Each `run` answers whether the check passed (false: exit 1).
struct JournalCommand {
    static let usage = """
        usage: lakehouse journal verify [--json] [--gateway URL]
               lakehouse journal events [--trace-id ID] [--type T] [--subject S] [--since-seq N] [--limit N] [--json] [--gateway URL]
               lakehouse journal proof (--seq N [--size N] | --from N [--to N]) [--json] [--gateway URL]
        verify re-reads and re-hashes the whole journal (exit 1 when a link is broken); events lists
        events ascending by seq; proof prints an RFC 9162 inclusion (--seq) or consistency (--from) proof.
        """

    let arguments: [String]

    func run() async throws -> Bool {
        var options = CLIOptions(arguments)
        var call = GatewayCall()
        var query: [String: String] = [:]
        while let flag = options.next() {
            if try call.take(flag, &options, usage: Self.usage) { continue }
            switch flag {
            case "--trace-id", "--type", "--subject": query[String(flag.dropFirst(2)).replacingOccurrences(of: "-", with: "_")] = try options.value(flag)
            case "--since-seq": query["since_seq"] = String(try options.nonNegativeInt(flag))
            case "--limit", "--seq", "--size", "--from", "--to": query[String(flag.dropFirst(2))] = String(try options.positiveInt(flag))
            default: throw CLIOptions.UsageError(description: "unknown option \(flag)\n\(Self.usage)")
            }
        }
        switch options.positional.first {
        case "verify" where options.positional.count == 1 && query.isEmpty:
            let (answer, raw) = try await call.send(.GET, "/v1/verify")
            let ok = answer["ok"]?.boolValue == true
            call.emit(raw, ok ? ["journal verified: \(answer["size"]?.cell ?? answer["events"]?.cell ?? "?") events, root \(answer["root"]?.cell ?? "-")"]
                              : ["journal BROKEN: \(answer["broken"]?.cell ?? "?")"])
            return ok
        case "events" where options.positional.count == 1 && query.keys.allSatisfy({ ["trace_id", "type", "subject", "since_seq", "limit"].contains($0) }):
            let target = "/v1/events" + GatewayCall.query(["trace_id", "type", "subject", "since_seq", "limit"].map { ($0, query[$0]) })
            let (answer, raw) = try await call.send(.GET, target)
            var lines = ["SEQ\tTS\tTYPE\tTRACE_ID\tSUBJECT"]
            for event in answer["events"]?.arrayValue ?? [] {
                lines.append(["seq", "ts", "type", "trace_id", "subject"].map { event[$0]?.cell ?? "-" }.joined(separator: "\t"))
            }
            if let next = answer["next_since_seq"], next != .null { lines.append("more: --since-seq \(next.cell)") }
            call.emit(raw, lines)
            return true
        case "proof" where options.positional.count == 1:
            let target: String
            if query["seq"] != nil, query["from"] == nil, query["to"] == nil {
                target = "/v1/proof/inclusion" + GatewayCall.query([("seq", query["seq"]), ("size", query["size"])])
            } else if query["from"] != nil, query["seq"] == nil, query["size"] == nil {
                target = "/v1/proof/consistency" + GatewayCall.query([("from", query["from"]), ("to", query["to"])])
            } else {
                throw CLIOptions.UsageError(description: "journal proof needs --seq N or --from N\n\(Self.usage)")
            }
            let (answer, raw) = try await call.send(.GET, target)
            call.emit(raw, (answer.objectValue ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.cell)" })
            return true
        default:
            throw CLIOptions.UsageError(description: Self.usage)
        }
    }
}

struct AuditCommand {
    static let usage = """
        usage: lakehouse audit baselines|full [--json] [--gateway URL]
        baselines appends an audit baseline with its drift; full runs every phase and prints each one's
        status (exit 1 when a phase failed).
        """

    let arguments: [String]

    func run() async throws -> Bool {
        let (call, positional) = try GatewayCall.parse(arguments, usage: Self.usage)
        switch positional {
        case ["baselines"]:
            let (answer, raw) = try await call.send(.POST, "/v1/audit/baselines", body: Array("{}".utf8))
            call.emit(raw, (answer.objectValue ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.cell)" })
            return true
        case ["full"]:
            let (answer, raw) = try await call.send(.POST, "/v1/audit/full", body: Array("{}".utf8), timeoutMs: 600_000)
            var lines = ["audit \(answer["audit_id"]?.cell ?? "?"): \(answer["status"]?.cell ?? "?")"]
            for phase in answer["phases"]?.arrayValue ?? [] {
                lines.append("  \(phase["phase"]?.cell ?? "?") \(phase["name"]?.cell ?? "")\t\(phase["status"]?.cell ?? "?")\t\(phase["detail"]?.cell ?? "")")
            }
            call.emit(raw, lines)
            return answer["status"]?.stringValue != "fail"
        default:
            throw CLIOptions.UsageError(description: Self.usage)
        }
    }
}

struct ExportCommand {
    static let usage = """
        usage: lakehouse export sft|rag|preference [--json] [--gateway URL]
        writes the export file from the scored runs and prints its path and counts.
        """

    let arguments: [String]

    func run() async throws -> Bool {
        let (call, positional) = try GatewayCall.parse(arguments, usage: Self.usage)
        guard positional.count == 1, let kind = positional.first, ["sft", "rag", "preference"].contains(kind) else {
            throw CLIOptions.UsageError(description: Self.usage)
        }
        let (answer, raw) = try await call.send(.POST, "/v1/export/\(kind)", body: Array("{}".utf8), timeoutMs: 600_000)
        call.emit(raw, (answer.objectValue ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.cell)" })
        return true
    }
}

struct ReplayCommand {
    static let usage = """
        usage: lakehouse replay [--run-id ID]... [--limit N] [--json] [--gateway URL]
        replays recorded runs through the fleet and prints each verdict (exit 1 on a regression); progress
        on stderr while it runs.
        """

    let arguments: [String]

    func run() async throws -> Bool {
        var options = CLIOptions(arguments)
        var call = GatewayCall()
        var runIDs: [JSONValue] = []
        var limit: Int?
        while let flag = options.next() {
            if try call.take(flag, &options, usage: Self.usage) { continue }
            switch flag {
            case "--run-id": runIDs.append(.string(try options.value(flag)))
            case "--limit": limit = try options.positiveInt(flag)
            default: throw CLIOptions.UsageError(description: "unknown option \(flag)\n\(Self.usage)")
            }
        }
        guard options.positional.isEmpty else { throw CLIOptions.UsageError(description: Self.usage) }
        var body: [String: JSONValue] = [:]
        if !runIDs.isEmpty { body["run_ids"] = .array(runIDs) }
        if let limit { body["limit"] = .number(Double(limit)) }
        let (answer, raw) = try await ProgressPolling.send(call, "/v1/replay", body: GatewayCall.encode(.object(body)), status: "/v1/replay/status",
                                                           label: "replay")
        var lines = ["replay \(answer["replay_id"]?.cell ?? "?"): \(answer["counts"]?.cell ?? "")"]
        for run in answer["runs"]?.arrayValue ?? [] {
            lines.append("  \(run["run_id"]?.cell ?? "?")\t\(run["verdict"]?.cell ?? "?")\t\(run["reason"]?.cell ?? "")")
        }
        for unknown in answer["unknown_run_ids"]?.arrayValue ?? [] { lines.append("  \(unknown.cell)\tunknown run") }
        call.emit(raw, lines)
        return (answer["counts"]?["regression"]?.numberValue ?? 0) == 0
    }
}
