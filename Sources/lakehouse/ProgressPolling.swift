import Foundation
import LakehouseKit

/// Long calls (materialize, replay) with progress: while the POST is in flight, the command polls
/// the daemon's `GET …/status` (`{"running","unit","done","total","runs","elapsed_ms"}`) and draws
/// ingest's `Progress` on stderr (a bar with the rate and ETA on a terminal, a plain line every 5 s
/// otherwise), then prints one closing line with the final counts. stdout keeps only the answer;
/// with `--json` (scripts) nothing is drawn.
enum ProgressPolling {
    static let pollInterval: Duration = .milliseconds(250)

    static func send(_ call: GatewayCall, _ target: String, body: [UInt8], status statusTarget: String, label: String) async throws
        -> (value: JSONValue, raw: [UInt8])
    {
        guard !call.json else { return try await call.send(.POST, target, body: body, timeoutMs: 3_600_000) }
        let poller = Task {
            var progress: Progress?
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                guard !Task.isCancelled, let reading = await Self.reading(call, statusTarget), reading.running, reading.total > 0 else { continue }
                if progress == nil { progress = Progress(label: "\(label) (\(reading.unit))", total: reading.total) }
                progress?.update(min(reading.done, progress?.total ?? reading.done))
            }
            progress?.finish()
        }
        let result = await Task { try await call.send(.POST, target, body: body, timeoutMs: 3_600_000) }.result
        poller.cancel()
        await poller.value
        if case .success = result, let last = await reading(call, statusTarget), !last.running {
            let seconds = last.elapsedMs / 1000
            let rate = seconds > 0 ? Double(last.done) / seconds : 0
            FileHandle.standardError.write(Data(String(format: "%@: %d/%d %@ done, %d runs, %.0f %@/s, %@\n", label, last.done, last.total, last.unit,
                                                       last.runs, rate, last.unit, Progress.duration(seconds)).utf8))
        }
        return try result.get()
    }

    struct Reading {
        var running: Bool
        var unit: String
        var done: Int
        var total: Int
        var runs: Int
        var elapsedMs: Double
    }

    /// One status reading, or nil when the daemon does not answer it (the call itself reports that).
    static func reading(_ call: GatewayCall, _ target: String) async -> Reading? {
        guard let (value, _) = try? await call.send(.GET, target, timeoutMs: 5_000) else { return nil }
        func int(_ key: String) -> Int { value[key]?.numberValue.flatMap { Int(exactly: $0) } ?? 0 }
        guard let running = value["running"]?.boolValue else { return nil }
        return Reading(running: running, unit: value["unit"]?.stringValue ?? "items", done: int("done"), total: int("total"), runs: int("runs"),
                       elapsedMs: value["elapsed_ms"]?.numberValue ?? 0)
    }
}

/// `lakehouse materialize [--dry-run]`: journaled runs → evidence, quarantine and scored runs, with progress.
struct MaterializeCommand {
    static let usage = """
        usage: lakehouse materialize [--dry-run] [--json] [--gateway URL]
        turns the journal's finished runs into evidence, quarantine and scored runs (materializerd), with
        progress on stderr, and prints the summary; --dry-run counts without writing.
        """

    let arguments: [String]

    func run() async throws -> Bool {
        var options = CLIOptions(arguments)
        var call = GatewayCall()
        var dryRun = false
        while let flag = options.next() {
            if try call.take(flag, &options, usage: Self.usage) { continue }
            switch flag {
            case "--dry-run": dryRun = true
            default: throw CLIOptions.UsageError(description: "unknown option \(flag)\n\(Self.usage)")
            }
        }
        guard options.positional.isEmpty else { throw CLIOptions.UsageError(description: Self.usage) }
        let body = GatewayCall.encode(dryRun ? ["dry_run": true] : [:])
        let (answer, raw) = try await ProgressPolling.send(call, "/v1/materialize", body: body, status: "/v1/materialize/status", label: "materialize")
        let keys = ["evidence_added", "quarantined_added", "failed_runs", "pending_runs", "scored_added", "events_read", "cursor_after",
                    "evidence_total", "categories"]
        call.emit(raw, ["materialization \(answer["materialization_id"]?.cell ?? "?")\(dryRun ? " (dry run)" : "")"]
                  + keys.map { "\($0): \(answer[$0]?.cell ?? "-")" })
        return true
    }
}
