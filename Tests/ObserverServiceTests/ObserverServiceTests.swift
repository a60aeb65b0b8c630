import Foundation
import LakehouseKit
import Testing
@testable import ObserverService

@Test func theInvariantFixturesBehaveAndTheCanaryIsCaught() {
    let (checked, problems) = AcceptanceFixtures.check()
    #expect(problems == [])
    #expect(checked == 22 * AcceptanceFixtures.cases.count)
    let canary = AcceptanceFixtures.cases.first { !$0.mustFail.isEmpty }!
    let failed = FillInvariants.check(canary.answer, canary.evidence).filter { !$0.passed }.map(\.name)
    #expect(Set(failed) == canary.mustFail)
}

@Test func boundedAnswersWithTheFallbackWhenTheBodyHangs() async {
    // The fallback wins against a body that sleeps 5 s ("late" would mean the body held the answer).
    let value = await bounded(100, fallback: { "timed out" }) {
        try? await Task.sleep(nanoseconds: 5_000_000_000)
        return "late"
    }
    #expect(value == "timed out")
    #expect(await bounded(60_000, fallback: { 0 }) { 7 } == 7)
}

func scoredLine(_ id: String, _ category: RunCategory, _ score: Double, latency: Double) throws -> [UInt8] {
    try JSONCoding.encode(ScoredRun(runID: id, category: category, score: score, attempts: 1, firstAttemptValid: category == .accepted,
                                    valid: category.reachesSFT, firstRules: [], finalRules: [], piiRules: [], role: "welder", provider: "local",
                                    totalLatencyMs: latency)) + [0x0A]
}

@Test func baselinesMeasureAndFlagDriftAgainstThePreviousOne() throws {
    let root = NSTemporaryDirectory() + "observer-tests-\(UUID().uuidString)"
    var config = ObserverConfig(dataRoot: root)
    config.driftScore = 0.05
    let book = BaselineBook(config: config)
    let paths = config.paths
    try JSONLinesFile.replace(paths.scored) { writer in
        for i in 0..<10 { try writer.write(try scoredLine("r\(i)", .accepted, 1, latency: Double(i + 1))) }
    }
    let first = try book.take()
    #expect(first.scoredCount == 10)
    #expect(first.meanScore == 1)
    #expect(first.firstAttemptPassRate == 1)
    #expect(first.latencyMs.p50 == 5 && first.latencyMs.max == 10)
    #expect(first.scoreHistogram[9] == 10)
    #expect(!first.drift.flagged && first.drift.previousBaselineID == nil)
    try JSONLinesFile.replace(paths.scored) { writer in
        for i in 0..<10 { try writer.write(try scoredLine("r\(i)", i < 5 ? .accepted : .rejected, i < 5 ? 1 : 0.1, latency: Double(i + 1) * 3)) }
    }
    let second = try book.take()
    #expect(second.drift.flagged)
    #expect(second.drift.previousBaselineID == first.baselineID)
    #expect(second.drift.reasons.contains { $0.contains("mean score") })
    #expect(second.drift.reasons.contains { $0.contains("p90 latency") })
    #expect(try JSONLinesFile.count(paths.auditBaselines) == 2)
    let validator = try #require(ArtifactSchema.validator("audit_baseline"))
    try JSONLinesFile.forEachLine(paths.auditBaselines) { line, _ in
        #expect(validator.errors(JSONParsing.value(line)!) == [])
        return true
    }
}

@Test func schemaPhaseFailsOnACorruptLineAndPassesOtherwise() async throws {
    let root = NSTemporaryDirectory() + "observer-tests-\(UUID().uuidString)"
    let config = ObserverConfig(dataRoot: root)
    let runner = AuditRunner(peers: PeerClient(client: HTTPClient(configuration: .init()), addresses: [:], serviceToken: nil), config: config,
                             fleet: FleetProbe(peers: PeerClient(client: HTTPClient(configuration: .init()), addresses: [:], serviceToken: nil), timeoutMs: 100))
    try JSONLinesFile.replace(config.paths.scored) { try $0.write(try scoredLine("r1", .accepted, 1, latency: 1)) }
    guard case .pass = runner.schemas() else { Issue.record("expected pass"); return }
    try JSONLinesFile.replace(config.paths.scored) { writer in
        try writer.write(try scoredLine("r1", .accepted, 1, latency: 1))
        try writer.write(Array(#"{"run_id":"r2","category":"great","score":2}"#.utf8) + [0x0A])
    }
    guard case .fail(let detail) = runner.schemas() else { Issue.record("expected fail"); return }
    #expect(detail.contains("line 2"))
}

@Test func prometheusGaugeIsRead() {
    #expect(FleetProbe.gauge("process_resident_memory_bytes", in: "# HELP x\nprocess_resident_memory_bytes 1234\n") == 1234)
    #expect(FleetProbe.gauge("process_resident_memory_bytes", in: "other 1\n") == nil)
}

@Test func configRejectsUnknownAndOutOfRangeVariables() {
    #expect(throws: ConfigError.self) { _ = try ObserverConfig(environment: Environment(["OBSERVERD_NOPE": "1"]), dataRoot: "/tmp") }
    #expect(throws: ConfigError.self) { _ = try ObserverConfig(environment: Environment(["OBSERVERD_DRIFT_SCORE": "7"]), dataRoot: "/tmp") }
    #expect(throws: ConfigError.self) { _ = try ObserverConfig(environment: Environment(["OBSERVERD_PHASE_TIMEOUT_MS": "x"]), dataRoot: "/tmp") }
}

@Test func theExportScanReadsSamplesNotTheirIdentifiers() throws {
    func findings(_ line: String) throws -> [PersonalDataScan.Finding] {
        PersonalDataScan.findings(in: AuditRunner.sampleText(try #require(JSONParsing.value(Array(line.utf8)))))
    }
    // A run id whose hex holds nine digits in a row, worker ids: clean.
    let clean = #"{"id":"2c830b6b-be59-4cf4-ae40-013146089fca:fill","metadata":{"run_id":"2c830b6b-be59-4cf4-ae40-013146089fca","worker_ids":["W-001602"]},"text":"Filled 1 welder position in Chicago, IL with Abigail King (W-001602)."}"#
    #expect(try findings(clean).isEmpty)
    // The same line with a leak in its words is caught, in every export's text fields.
    #expect(try findings(clean.replacingOccurrences(of: "Abigail King", with: "Abigail King, 419-55-0142")) == [.ssnShape])
    #expect(try findings(#"{"messages":[{"role":"assistant","content":"call her at +1-419-555-0142"}]}"#) == [.phoneNumber])
    #expect(try findings(#"{"prompt":"p","chosen":"ok","rejected":"pays $18.50/hr","why":"salary_disclosure"}"#).contains(.payFigure))
}
