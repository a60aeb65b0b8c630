import Foundation
import Glibc
import LakehouseKit
import Testing

/// The public surface on real processes: `/openapi.json` fuzzed by Schemathesis against a seeded
/// fleet, served without a key when keys are required; the operator CLI's exit codes and `--json`.
@Suite(.serialized) struct PublicSurfaceFleetTests {
    /// The operations Schemathesis exercises (the fill fleet serves these; distillation daemons are not started).
    static let fuzzedOperations = [
        "post_fill", "post_embed", "post_retrieve", "post_extract_role", "post_understand", "post_validate",
        "get_events", "post_events", "get_events_by_seq", "get_verify", "get_checkpoint",
        "get_facts_by_subject", "post_facts", "post_reconcile",
        "post_chat", "post_chat_completions", "get_providers", "post_iterate", "post_embeddings", "get_cache_stats",
        "get_indexes", "put_indexes_by_name", "get_indexes_by_name", "delete_indexes_by_name", "post_indexes_by_name_upsert", "post_indexes_by_name_delete",
        "get_indexes_by_name_items_by_id", "post_indexes_by_name_search", "get_corpora", "put_corpora_by_name", "get_corpora_by_name", "post_corpora_by_name_ingest",
        "post_playbooks", "post_memory", "get_memory", "post_memory_search", "get_memory_by_id", "put_memory_by_id", "delete_memory_by_id", "get_memory_by_id_history",
        "post_claims", "post_claims_import", "get_proof_inclusion", "get_proof_consistency",
    ]

    @Test func schemathesisFindsNoServerErrorAndNoAnswerThatContradictsTheDocument() async throws {
        let fill = try await FillFleet.start(workers: 300)
        defer { fill.fleet.removeData() }
        let document = try await fill.fleet.request(.gateway, .GET, "/openapi.json")
        #expect(document.status == .ok && document.json?["openapi"] as? String == "3.1.0", "\(document.text.prefix(300))")
        let ids = Set(((document.json?["paths"] as? [String: [String: [String: Any]]]) ?? [:]).values.flatMap { $0.values.compactMap { $0["operationId"] as? String } })
        #expect(Set(Self.fuzzedOperations).isSubset(of: ids), "\(Set(Self.fuzzedOperations).subtracting(ids))")

        let port = fill.fleet.ports[.gateway]!
        let result = try DistillPython.run("openapi_fuzz.py", ["--url", "http://127.0.0.1:\(port)", "--operations", Self.fuzzedOperations.joined(separator: ","),
                                                               "--max-examples", "5", "--max-time", "50"])
        #expect(result.status == 0, "schemathesis: \(result.output.suffix(6000))\n\(result.errors.suffix(2000))")
        #expect(result.output.contains("post_fill") || result.output.contains("/v1/fill"), "\(result.output.suffix(2000))")
        // The fleet is still whole after the fuzzing.
        for daemon in FillFleet.daemons { #expect(fill.fleet.process(daemon).isRunning, "\(daemon) died: \(fill.fleet.process(daemon).log.suffix(2000))") }
        _ = fill.fleet.stop()
    }

    @Test func theDocumentIsPublicWhileTheAPINeedsAKey() async throws {
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_API_KEYS": "k-one,k-two"])
        defer { fleet.removeData() }
        try fleet.start([.journald, .gateway])
        #expect(await fleet.waitUntilReady(.journald))
        #expect(await fleet.waitUntilReady(.gateway))
        let document = try await fleet.request(.gateway, .GET, "/openapi.json")
        #expect(document.status == .ok && document.json?["components"] != nil)
        #expect(try await fleet.request(.gateway, .GET, "/v1/verify").status == .unauthorized)
        #expect(try await fleet.request(.gateway, .GET, "/v1/verify", headers: ["Authorization": "Bearer k-two"]).status == .ok)
        _ = fleet.stop()
    }
}
