import Foundation
import LakehouseKit
import Testing
@testable import MaterializerService

/// Runs Tests/Python/validate_records.py (a missing python3 or jsonschema fails the test).
func pythonVerdicts(_ lines: [(String, String)]) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", Fixtures.root + "/Tests/Python/validate_records.py"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let text = lines.map { "\($0.0)\t\($0.1)\n" }.joined()
    let writer = Thread {
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let answer = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "validate_records.py failed (python3 with jsonschema is required)")
    return String(decoding: answer, as: UTF8.self).split(separator: "\n").map(String.init)
}

/// Ways to break a record, each of which every canonical schema must reject.
func corruptions(_ record: JSONValue, required: [String]) -> [JSONValue] {
    guard case .object(let fields) = record else { return [] }
    var out: [JSONValue] = []
    var extra = fields
    extra["unexpected_field"] = 1
    out.append(.object(extra))
    for key in required.sorted().prefix(4) where fields[key] != nil && key != "value" {
        var missing = fields
        missing[key] = nil
        out.append(.object(missing))
        var wrongType = fields
        wrongType[key] = fields[key] == .string("x") ? .number(1) : (fields[key]?.stringValue != nil ? .array([]) : .string("x"))
        out.append(.object(wrongType))
    }
    return out
}

@Test func theCompiledInSchemasMatchTheFilesAndUseOnlyTheSupportedSubset() throws {
    let directory = Fixtures.root + "/Sources/LakehouseKit/Schemas"
    let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".schema.json") }.sorted()
    #expect(files.map { String($0.dropLast(".schema.json".count)) } == ArtifactSchema.names)
    for file in files {
        let name = String(file.dropLast(".schema.json".count))
        let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
        #expect(ArtifactSchema.texts[name]?.trimmingCharacters(in: .whitespacesAndNewlines) == text.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(file) changed: run Scripts/gen-schemas")
        #expect(ArtifactSchema.validator(name) != nil, "\(name) uses a keyword outside the subset")
    }
    #expect(Set(ArtifactSchema.names).isSuperset(of: ["worker", "claim", "journal_event", "evidence", "scored_run", "sft_sample", "rag_chunk",
                                                      "preference_pair", "audit_baseline", "replay_run"]))
}

@Test func swiftAndPythonValidatorsAgreeOnRealRecordsAndTheirCorruptions() async throws {
    let root = try await materialized()
    let paths = ArtifactPaths(root: root)
    for kind in ExportKind.allCases { _ = try Exporter(paths: paths).export(kind) }
    var samples: [(String, JSONValue)] = []
    for (path, schema) in ArtifactSchema.artifactFiles(paths) {
        for line in Fixtures.lines(path).prefix(3) { samples.append((schema, JSONParsing.value(Array(line.utf8))!)) }
    }
    let worker = try JSONValue(encoding: Worker(id: "W-000001", name: "Maria Lopez", role: "forklift operator", skills: ["inventory"],
                                                certifications: ["forklift"], city: "Toledo", state: "OH", lat: 41.65, lon: -83.54, shifts: ["1st", "2nd"],
                                                days: ["mon"], payRate: 18.5, status: "active", phone: "+1-419-555-0142", email: "maria.lopez@example.com"))
    let claim = try JSONValue(encoding: Claim(subject: "worker:W-000001", attribute: "certification.forklift", value: true, source: "hr_system",
                                              observedAt: "2026-11-21T12:00:00Z", confidence: 0.9))
    let event: JSONValue = ["seq": 1, "hash": .string(String(repeating: "ab", count: 32)), "id": "e-1", "ts": "2026-11-21T12:00:00.000Z",
                            "daemon": "gateway", "type": "fill.requested", "trace_id": "run-1", "payload": ["a": 1]]
    let outcome: JSONValue = ["run_id": "run-1", "valid": true, "worker_ids": ["W-000001"], "attempts": 1]
    let replay: JSONValue = ["schema_version": 1, "replay_id": "rp-1", "run_id": "run-1", "replayed_at": "2026-11-21T12:00:00.000Z",
                             "original": outcome, "replayed": outcome, "overlap": 1, "verdict": "match", "reason": "the same workers"]
    let baseline: JSONValue = ["schema_version": 1, "baseline_id": "b-1", "taken_at": "2026-11-21T12:00:00.000Z", "evidence_count": 3, "scored_count": 3,
                               "quarantine_count": 0, "categories": ["accepted": 2, "corrected": 1, "rejected": 0, "pii_violation": 0, "unparseable": 0],
                               "score_histogram": [0, 0, 0, 0, 0, 0, 0, 0, 1, 2], "mean_score": 0.9667, "first_attempt_pass_rate": 0.6667,
                               "latency_ms": ["p50": 1, "p90": 2, "p99": 2, "max": 2], "drift": ["previous_baseline_id": nil, "flagged": false, "reasons": []]]
    let quarantine: JSONValue = ["run_id": "run-2", "kind": "incomplete", "reason": "incomplete: no fill.finished event", "seqs": [4, 5],
                                 "event_types": ["fill.requested", "fill.retrieved"], "quarantined_at": "2026-11-21T12:00:00.000Z"]
    samples += [("worker", worker), ("claim", claim), ("journal_event", event), ("replay_run", replay), ("audit_baseline", baseline), ("quarantine", quarantine)]
    #expect(Set(samples.map(\.0)) == Set(ArtifactSchema.names))

    var lines: [(String, String)] = []
    var swift: [Bool] = []
    var corrupted: [Bool] = []
    for (schema, record) in samples {
        let validator = try #require(ArtifactSchema.validator(schema))
        for (variant, isCorrupt) in [(record, false)] + corruptions(record, required: validator.schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []).map({ ($0, true) }) {
            var writer = JSONWriter()
            writer.value(variant)
            lines.append((schema, String(decoding: writer.bytes, as: UTF8.self)))
            swift.append(validator.isValid(variant))
            corrupted.append(isCorrupt)
        }
    }
    let python = try pythonVerdicts(lines)
    #expect(python.count == lines.count)
    for (index, verdict) in python.enumerated() where index < swift.count {
        #expect((verdict == "valid") == swift[index], "disagree on \(lines[index].0): \(lines[index].1.prefix(300))")
        #expect(swift[index] == !corrupted[index], "\(lines[index].0) \(corrupted[index] ? "corruption accepted" : "real record rejected"): \(lines[index].1.prefix(300))")
    }
}
