import Foundation
import LakehouseKit
import Testing
@testable import MaterializerService

func materialized() async throws -> String {
    let root = Fixtures.temporaryDirectory()
    _ = try await Fixtures.materializer(root, try Fixtures.events()).materialize(dryRun: false)
    return root
}

@Test func sftHoldsOnlyAcceptedAndCorrectedRunsAndNamesClassAndRun() async throws {
    let root = try await materialized()
    let paths = ArtifactPaths(root: root)
    let summary = try Exporter(paths: paths).export(.sft)
    let scored = try JSONLinesFile.decodeAll(paths.scored, as: ScoredRun.self)
    let allowed = Set(scored.filter { $0.category.reachesSFT }.map(\.runID))
    let forbidden = Set(scored.filter { !$0.category.reachesSFT }.map(\.runID))
    #expect(!forbidden.isEmpty)
    let meta = Fixtures.lines(paths.exportMetadata(.sft)).map { JSONParsing.value(Array($0.utf8))! }
    #expect(meta.count == summary.samples)
    #expect(Fixtures.lines(paths.export(.sft)).count == summary.samples)
    for line in meta {
        let run = line["run_id"]!.stringValue!
        #expect(allowed.contains(run) && !forbidden.contains(run))
    }
    #expect(Set(meta.compactMap { $0["source_class"]?.stringValue }) == Set(SourceClass.allCases.map(\.rawValue)))
    for line in Fixtures.lines(paths.export(.sft)) {
        let value = try #require(JSONParsing.value(Array(line.utf8)))
        #expect(value.objectValue?.keys.sorted() == ["messages"])
        #expect(value["messages"]?.arrayValue?.map { $0["role"]?.stringValue ?? "" } == ["system", "user", "assistant"])
    }
}

@Test func exportsAreByteIdenticalForTheSameEvidence() async throws {
    let root = try await materialized()
    let paths = ArtifactPaths(root: root)
    for kind in ExportKind.allCases {
        _ = try Exporter(paths: paths).export(kind)
        let first = try Data(contentsOf: URL(fileURLWithPath: paths.export(kind)))
        _ = try Exporter(paths: paths).export(kind)
        #expect(try Data(contentsOf: URL(fileURLWithPath: paths.export(kind))) == first)
        #expect(!first.isEmpty)
    }
}

@Test func noExportedSampleCarriesPersonalData() async throws {
    let root = try await materialized()
    let paths = ArtifactPaths(root: root)
    var dropped = 0
    for kind in ExportKind.allCases {
        dropped += try Exporter(paths: paths).export(kind).droppedByScan.values.reduce(0, +)
        for line in Fixtures.lines(paths.export(kind)) {
            #expect(PersonalDataScan.isClean(line.replacingOccurrences(of: "\\n", with: "\n")), "\(kind): \(line.prefix(200))")
        }
    }
    // The fixture has corrected runs whose failed drafts disclosed pay, an SSN shape or a phone.
    #expect(dropped > 0)
}

@Test func preferencePairsComeFromCorrectedLoopsInTRLExplicitPromptForm() async throws {
    let root = try await materialized()
    let paths = ArtifactPaths(root: root)
    let summary = try Exporter(paths: paths).export(.preference)
    #expect(summary.samples > 0)
    let corrected = Set(try JSONLinesFile.decodeAll(paths.scored, as: ScoredRun.self).filter { $0.category == .corrected }.map(\.runID))
    for (line, meta) in zip(Fixtures.lines(paths.export(.preference)), Fixtures.lines(paths.exportMetadata(.preference))) {
        let pair = try #require(JSONParsing.value(Array(line.utf8)))
        #expect(pair.objectValue?.keys.sorted() == ["chosen", "prompt", "rejected", "why"])
        #expect(pair["prompt"]?.arrayValue?.map { $0["role"]?.stringValue ?? "" } == ["system", "user"])
        #expect(pair["chosen"]?.arrayValue?.first?["role"]?.stringValue == "assistant")
        #expect(pair["rejected"]?.arrayValue?.first?["role"]?.stringValue == "assistant")
        #expect(pair["chosen"] != pair["rejected"])
        #expect(corrected.contains(JSONParsing.value(Array(meta.utf8))!["run_id"]!.stringValue!))
    }
}

@Test func thePersonalDataScanFindsEachKindAndPassesOrdinaryText() {
    #expect(PersonalDataScan.findings(in: "ref 123-45-6789") == [.ssnShape])
    #expect(PersonalDataScan.findings(in: "she earns $18.50/hr").contains(.payFigure))
    #expect(PersonalDataScan.findings(in: "paid 18.50 per hour").contains(.payFigure))
    #expect(PersonalDataScan.findings(in: "write to maria.lopez@example.com") == [.emailAddress])
    #expect(PersonalDataScan.findings(in: "call +1-419-555-0142") == [.phoneNumber])
    #expect(PersonalDataScan.findings(in: "call (419) 555-0142") == [.phoneNumber])
    #expect(PersonalDataScan.isClean("Need 3 forklift operators in Toledo, OH for Monday 2nd shift: Maria Lopez (W-000123), score 0.912"))
    #expect(PersonalDataScan.isClean(DraftPrompt.fillInstructions))
}
