import Foundation
import LakehouseKit

/// `POST /v1/export/{kind}`: reads `evidence/fill.jsonl` in order, scores each record, lets only
/// `SFTEligibleRun`s through (the SftNever firewall), renders samples, scans every sample for
/// personal data (dropping and counting any that trips the scan), and atomically replaces the
/// export and its `.meta.jsonl` sidecar. Same evidence file → byte-identical export.
public struct Exporter: Sendable {
    let paths: ArtifactPaths

    public init(paths: ArtifactPaths) { self.paths = paths }

    /// Evidence lines rendered per parallel batch (bounds memory: a few MB of lines and samples).
    static let batchLines = 1024

    /// What one evidence line becomes; computed on any thread, merged in line order.
    struct RenderedRun {
        var decodes = true
        var eligible = false
        /// Accepted samples: the line, and the meta sidecar's class, run id and category.
        var samples: [(line: [UInt8], sourceClass: String, runID: String, category: RunCategory)] = []
        /// Findings of each sample the personal-data scan dropped (one entry per finding per sample).
        var dropped: [String] = []
    }

    static func render(_ line: [UInt8], _ kind: ExportKind) -> RenderedRun {
        var out = RenderedRun()
        guard let record = try? JSONValueDecoder.decode(EvidenceRecord.self, fromBytes: line) else {
            out.decodes = false
            return out
        }
        guard let run = SFTEligibleRun(record) else { return out }
        out.eligible = true
        func accept(_ texts: [String]) -> Bool {
            let findings = Set(texts.flatMap { PersonalDataScan.findings(in: $0) })
            for finding in findings { out.dropped.append(finding.rawValue) }
            return findings.isEmpty
        }
        switch kind {
        case .sft:
            for sample in TrainingSamples.sft(run) where accept(sample.texts) {
                out.samples.append((sample.jsonLine(), sample.sourceClass.rawValue, sample.runID, sample.category))
            }
        case .preference:
            for pair in TrainingSamples.preference(run) where accept(pair.texts) {
                out.samples.append((pair.jsonLine(), "preference_pair", pair.runID, run.score.category))
            }
        case .rag:
            for chunk in TrainingSamples.rag(run) where accept([chunk.text]) {
                out.samples.append((chunk.jsonLine(), chunk.metadata["kind"]?.stringValue ?? "fill", run.evidence.runID, run.score.category))
            }
        }
        return out
    }

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

        func meta(_ sourceClass: String, _ runID: String, _ category: RunCategory) throws {
            var writer = JSONWriter(capacity: 128)
            writer.object(["line": .number(Double(samples)), "source_class": .string(sourceClass), "run_id": .string(runID),
                           "category": .string(category.rawValue)])
            try metaWriter?.write(writer.bytes + [0x0A])
        }
        // Lines are rendered in parallel batches and written in line order: same bytes as one by one.
        func flush(_ batch: inout [(number: Int, line: [UInt8])], into writer: BufferedFileWriter) throws {
            let rendered = OrderedParallelMap.map(batch) { Self.render($0.line, kind) }
            for (index, run) in rendered.enumerated() {
                runsRead += 1
                guard run.decodes else {
                    throw MaterializerError(.storage, "evidence line \(batch[index].number) does not decode; run an audit (phase 1) to find it")
                }
                if run.eligible { eligible += 1 }
                for finding in run.dropped { dropped[finding, default: 0] += 1 }
                for sample in run.samples {
                    samples += 1
                    byClass[sample.sourceClass, default: 0] += 1
                    try writer.write(sample.line)
                    if kind != .rag { try meta(sample.sourceClass, sample.runID, sample.category) }
                }
            }
            batch.removeAll(keepingCapacity: true)
        }
        do {
            try DurableFile.createDirectory(paths.exportsDirectory)
            if kind != .rag { metaStaged = try DurableFile.stageReplacement(of: metaTarget) { metaWriter = $0 } }
            let staged = try DurableFile.stageReplacement(of: target) { writer in
                var batch: [(number: Int, line: [UInt8])] = []
                try JSONLinesFile.forEachLine(paths.evidence) { line, number in
                    batch.append((number, Array(line)))
                    if batch.count == Self.batchLines { try flush(&batch, into: writer) }
                    return true
                }
                try flush(&batch, into: writer)
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
