import Foundation
import Glibc
import LakehouseKit
import Testing

/// materializerd with a real journald: idempotent materialization, quarantine of a cut run,
/// resume after kill -9, exports checked by independent tools, bad input.
@Suite(.serialized) struct DistillFleetTests {
    /// Posts events to journald in batches.
    func post(_ fleet: Fleet, _ events: [[String: Any]]) async throws {
        var start = 0
        while start < events.count {
            let batch = Array(events[start..<min(events.count, start + 500)])
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["events": batch]), as: UTF8.self)
            let response = try await fleet.request(.journald, .POST, "/v1/events", body: body, timeoutMs: 30_000)
            #expect(response.status == .ok, "\(response.text)")
            start += 500
        }
    }

    func runIDs(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["run_id"] as? String
        }
    }

    func startDistill(_ fleet: Fleet) async throws {
        try fleet.start([.journald, .materializerd], environment: ["MATERIALIZERD_GRACE_S": "0", "MATERIALIZERD_PAGE_SIZE": "500"])
        #expect(await fleet.waitUntilReady(.journald))
        #expect(await fleet.waitUntilReady(.materializerd), "\(fleet.process(.materializerd).log)")
    }

    @Test func materializeIsIdempotentQuarantinesACutRunAndExportsPassIndependentChecks() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try await startDistill(fleet)
        var events = try PythonScript.generatedEvents(runs: 120, seed: 5)
        // Cut one corrected run: drop its first iterate.attempt event.
        let finishedMulti = try #require(events.first { ($0["type"] as? String) == "fill.finished" && (($0["payload"] as? [String: Any])?["attempts"] as? Int ?? 0) >= 2 })
        let cutRun = try #require(finishedMulti["trace_id"] as? String)
        let cutIndex = try #require(events.firstIndex { ($0["trace_id"] as? String) == cutRun && ($0["type"] as? String) == "iterate.attempt" })
        events.remove(at: cutIndex)
        try await post(fleet, events)
        let finished = Set(events.filter { ($0["type"] as? String) == "fill.finished" }.compactMap { $0["trace_id"] as? String })

        let first = try await fleet.request(.materializerd, .POST, "/v1/materialize", body: "{}", timeoutMs: 60_000)
        #expect(first.status == .ok, "\(first.text)")
        #expect(first.json?["evidence_added"] as? Int == finished.count - 1)
        #expect(first.json?["quarantined_added"] as? Int == 1)
        let data = fleet.dataDirectory
        let evidence = runIDs(data + "/evidence/fill.jsonl")
        #expect(Set(evidence) == finished.subtracting([cutRun]))
        #expect(evidence.count == Set(evidence).count)
        let quarantine = try String(contentsOfFile: data + "/quarantine/fill.jsonl", encoding: .utf8)
        #expect(quarantine.contains(cutRun) && quarantine.contains("incomplete") && quarantine.contains("missing attempt 1"))

        // Idempotent: again adds nothing, and the evidence bytes do not change.
        let before = try Data(contentsOf: URL(fileURLWithPath: data + "/evidence/fill.jsonl"))
        let second = try await fleet.request(.materializerd, .POST, "/v1/materialize", body: "", timeoutMs: 60_000)
        #expect(second.json?["evidence_added"] as? Int == 0)
        #expect(second.json?["quarantined_added"] as? Int == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: data + "/evidence/fill.jsonl")) == before)

        // Exports: byte-identical twice over.
        for kind in ["sft", "rag", "preference"] {
            let one = try await fleet.request(.materializerd, .POST, "/v1/export/\(kind)", timeoutMs: 60_000)
            #expect(one.status == .ok, "\(one.text)")
            #expect((one.json?["samples"] as? Int ?? 0) > 0)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: data + "/exports/\(kind).jsonl"))
            #expect(try await fleet.request(.materializerd, .POST, "/v1/export/\(kind)", body: "{}", timeoutMs: 60_000).status == .ok)
            #expect(try Data(contentsOf: URL(fileURLWithPath: data + "/exports/\(kind).jsonl")) == bytes)
        }

        // Independent checks: schemas (and a corrupted record of each kind rejected), personal data, SftNever.
        let artifacts = try PythonScript.run("check_artifacts.py", [data, "--require", "evidence,quarantine,scored_run,sft_sample,export_meta,rag_chunk,preference_pair"])
        #expect(artifacts.status == 0, "\(artifacts.output)\(artifacts.errors)")
        #expect(artifacts.output.contains("\"sft_never_leaks\": 0"))
        let training = try PythonScript.run("check_training_format.py", [data + "/exports"])
        #expect(training.status == 0, "\(training.output)\(training.errors)")
    }

    @Test func badInputIsA4xxAndWritesNothing() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try await startDistill(fleet)
        for (target, body, status) in [
            ("/v1/export/parquet", "", 404), ("/v1/export/sft", "{\"limit\":5}", 400), ("/v1/export/sft", "[1", 400),
            ("/v1/materialize", "{\"dry_run\":\"yes\"}", 400), ("/v1/materialize", "{\"dryrun\":true}", 400), ("/v1/materialize", "nope", 400),
        ] {
            let response = try await fleet.request(.materializerd, .POST, target, body: body)
            #expect(Int(response.status.code) == status, "\(target) \(body): \(response.status.code) \(response.text)")
            #expect(response.text.contains("\"error\""))
        }
        let oversize = try await fleet.request(.materializerd, .POST, "/v1/materialize", body: String(repeating: " ", count: 40 << 20))
        #expect(oversize.status.code == 413)
        #expect(!FileManager.default.fileExists(atPath: fleet.dataDirectory + "/exports/sft.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: fleet.dataDirectory + "/evidence/fill.jsonl"))
    }

    @Test func killDashNineMidMaterializeResumesWithoutLossOrDuplicates() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try await startDistill(fleet)
        let events = try PythonScript.generatedEvents(runs: 2_000, seed: 9)
        try await post(fleet, events)
        let finished = Set(events.filter { ($0["type"] as? String) == "fill.finished" }.compactMap { $0["trace_id"] as? String })
        let data = fleet.dataDirectory

        let attempt = Task { try? await fleet.request(.materializerd, .POST, "/v1/materialize", body: "{}", timeoutMs: 60_000) }
        try await Task.sleep(nanoseconds: 150_000_000)
        fleet.process(.materializerd).killHard()
        _ = await attempt.value
        // Whatever the kill left is a whole file (old or new), never a torn one.
        let partial = runIDs(data + "/evidence/fill.jsonl")
        #expect(partial.count == Set(partial).count)
        #expect(Set(partial).isSubset(of: finished))

        try fleet.restart(.materializerd)
        #expect(await fleet.waitUntilReady(.materializerd))
        let resumed = try await fleet.request(.materializerd, .POST, "/v1/materialize", body: "{}", timeoutMs: 60_000)
        #expect(resumed.status == .ok, "\(resumed.text)")
        let evidence = runIDs(data + "/evidence/fill.jsonl")
        #expect(Set(evidence) == finished)
        #expect(evidence.count == finished.count)
        let scored = runIDs(data + "/scored/scored_runs.jsonl")
        #expect(Set(scored) == finished && scored.count == finished.count)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: data + "/evidence")) ?? []
        #expect(!leftovers.contains { $0.contains(".tmp-") })
    }
}
