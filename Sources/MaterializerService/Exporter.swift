import Foundation
import LakehouseKit

/// `POST /v1/export/{kind}`: reads `evidence/fill.jsonl` in order, scores each record, lets only
/// `SFTEligibleRun`s through (the SftNever firewall), renders samples, scans every sample for
/// personal data (dropping and counting any that trips the scan), and atomically replaces the
/// export and its `.meta.jsonl` sidecar. Same evidence file → byte-identical export.
public struct Exporter: Sendable {
    let paths: ArtifactPaths

    public init(paths: ArtifactPaths) { self.paths = paths }

    public func export(_ kind: ExportKind) throws(MaterializerError) -> ExportSummary {
        let started = MonotonicClock.nanoseconds()
        var runsRead = 0
        var eligible = 0
        var samples = 0
        var byClass: [String: Int] = [:]
        var dropped: [String: Int] = [:]
        let target = paths.export(kind)
        let metaTarget = paths.exportMetadata(kind)
        var metaStaged: StagedReplacement?
        var metaWriter: BufferedFileWriter?

        func accept(_ texts: [String]) -> Bool {
            let findings = Set(texts.flatMap { PersonalDataScan.findings(in: $0) })
            for finding in findings { dropped[finding.rawValue, default: 0] += 1 }
            return findings.isEmpty
        }
        func meta(_ sourceClass: String, _ runID: String, _ category: RunCategory) throws {
            var writer = JSONWriter(capacity: 128)
            writer.object(["line": .number(Double(samples)), "source_class": .string(sourceClass), "run_id": .string(runID),
                           "category": .string(category.rawValue)])
            try metaWriter?.write(writer.bytes + [0x0A])
        }
        do {
            try DurableFile.createDirectory(paths.exportsDirectory)
            if kind != .rag { metaStaged = try DurableFile.stageReplacement(of: metaTarget) { metaWriter = $0 } }
            let staged = try DurableFile.stageReplacement(of: target) { writer in
                try JSONLinesFile.forEachLine(paths.evidence) { line, number in
                    runsRead += 1
                    guard let record = try? JSONValueDecoder.decode(EvidenceRecord.self, fromBytes: line) else {
                        throw MaterializerError(.storage, "evidence line \(number) does not decode; run an audit (phase 1) to find it")
                    }
                    guard let run = SFTEligibleRun(record) else { return true }
                    eligible += 1
                    switch kind {
                    case .sft:
                        for sample in TrainingSamples.sft(run) where accept(sample.texts) {
                            samples += 1
                            byClass[sample.sourceClass.rawValue, default: 0] += 1
                            try writer.write(sample.jsonLine())
                            try meta(sample.sourceClass.rawValue, sample.runID, sample.category)
                        }
                    case .preference:
                        for pair in TrainingSamples.preference(run) where accept(pair.texts) {
                            samples += 1
                            byClass["preference_pair", default: 0] += 1
                            try writer.write(pair.jsonLine())
                            try meta("preference_pair", pair.runID, run.score.category)
                        }
                    case .rag:
                        for chunk in TrainingSamples.rag(run) where accept([chunk.text]) {
                            samples += 1
                            byClass[chunk.metadata["kind"]?.stringValue ?? "fill", default: 0] += 1
                            try writer.write(chunk.jsonLine())
                        }
                    }
                    return true
                }
            }
            try staged.commit()
            let bytes = try FileHandleFD(path: target, flags: O_RDONLY).size()
            try metaWriter?.flush()
            try metaStaged?.commit()
            return ExportSummary(kind: kind, path: target, metadataPath: kind == .rag ? nil : metaTarget, runsRead: runsRead, runsEligible: eligible,
                                 samples: samples, bytes: bytes, byClass: byClass, droppedByScan: dropped,
                                 elapsedMs: (Double(MonotonicClock.nanoseconds() - started) / 1e3).rounded() / 1e3)
        } catch let error as MaterializerError {
            throw error
        } catch {
            throw MaterializerError(.storage, "export \(kind.rawValue) failed: \(error)")
        }
    }
}
