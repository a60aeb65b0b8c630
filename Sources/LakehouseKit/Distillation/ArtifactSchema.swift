import Foundation
import Synchronization

/// The canonical JSON Schemas of the distillation artifacts (SPEC §7), compiled into the binary
/// from `Sources/LakehouseKit/Schemas/` by `Scripts/gen-schemas`.
public enum ArtifactSchema {
    /// Every schema name, sorted.
    public static var names: [String] { texts.keys.sorted() }

    private static let cache = Mutex<[String: JSONSchemaValidator]>([:])

    /// The validator of one schema (parsed once), or nil for an unknown name.
    public static func validator(_ name: String) -> JSONSchemaValidator? {
        if let cached = cache.withLock({ $0[name] }) { return cached }
        guard let text = texts[name], let validator = try? JSONSchemaValidator(schemaText: text) else { return nil }
        cache.withLock { $0[name] = validator }
        return validator
    }

    /// The artifact files a data directory holds, with the schema each line must satisfy.
    public static func artifactFiles(_ paths: ArtifactPaths) -> [(path: String, schema: String)] {
        [
            (paths.evidence, "evidence"), (paths.quarantine, "quarantine"), (paths.scored, "scored_run"),
            (paths.export(.sft), "sft_sample"), (paths.exportMetadata(.sft), "export_meta"),
            (paths.export(.rag), "rag_chunk"),
            (paths.export(.preference), "preference_pair"), (paths.exportMetadata(.preference), "export_meta"),
            (paths.replayRuns, "replay_run"), (paths.auditBaselines, "audit_baseline"),
        ]
    }
}
