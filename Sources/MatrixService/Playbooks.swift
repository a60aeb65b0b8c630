import Foundation
import LakehouseKit

/// `POST /v1/playbooks`: a successful fill, stored in the `playbooks` corpus tagged with its role,
/// so later retrieves of the same role find it (and boost the workers it names). Idempotent: the
/// id is the run id when given, else a hash of the fill's content.
struct Playbooks: Sendable {
    let corpora: CorpusSetup
    let ingest: CorpusIngest
    let queue: PlaybookQueue

    init(corpora: CorpusSetup, ingest: CorpusIngest) {
        self.corpora = corpora
        self.ingest = ingest
        queue = PlaybookQueue(ingest: ingest)
    }

    /// The `playbooks` corpus as matrixd creates it when it is missing.
    static let definition = (index: "playbooks", textFields: ["query", "role", "city", "state"], roleField: "role")

    /// ef_construction of the `playbooks` index when matrixd creates it. A playbook is inserted
    /// after every valid fill, and at vectord's default (200) the graph insert was a third of its
    /// CPU per playbook. The index is small and boost-only, and its searches are role-filtered
    /// (one role's playbooks are scanned exactly), so a cheaper graph changes no answer.
    static let efConstruction = 64

    struct Recorded: Sendable {
        let id: String
        let corpus: String
        let role: String

        /// The 201 answer `{"corpus","id","role"}` (sorted keys, as every answer), without JSONEncoder.
        var json: [UInt8] {
            var writer = JSONWriter(capacity: 96)
            writer.raw("{\"corpus\":")
            writer.string(corpus)
            writer.raw(",\"id\":")
            writer.string(id)
            writer.raw(",\"role\":")
            writer.string(role)
            writer.raw("}")
            return writer.bytes
        }
    }

    func record(_ playbook: PlaybookRecord, requestID: String?) async throws(MatrixError) -> Recorded {
        let role = playbook.role.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard RoleVocabulary.definition(named: role) != nil else {
            throw .badRequest("role '\(playbook.role)' is not in the role vocabulary")
        }
        guard playbook.outcome == "filled" else { throw .badRequest("outcome must be \"filled\" (only successful fills are playbooks)") }
        let query = playbook.query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty, query.utf8.count <= 8192 else { throw .badRequest("query must be 1 to 8192 bytes") }
        guard (1...100).contains(playbook.workerIDs.count), playbook.workerIDs.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 256 }) else {
            throw .badRequest("worker_ids must hold 1 to 100 non-empty ids")
        }
        let corpus = try await corpora.ensure(name: Retriever.playbookCorpus, index: Playbooks.definition.index,
                                              textFields: Playbooks.definition.textFields, roleField: Playbooks.definition.roleField,
                                              requestID: requestID)
        let id = playbook.runID.map { "PB-" + $0 } ?? "PB-" + Playbooks.contentHash(role, query, playbook.city ?? "", playbook.state ?? "", playbook.workerIDs.joined(separator: ","))
        var record: [String: JSONValue] = [
            "id": .string(id), "query": .string(query), "role": .string(role), "worker_ids": .array(playbook.workerIDs.map { .string($0) }),
            "outcome": .string("filled"), "recorded_at": .string(PathwayMemory.now()),
        ]
        if let city = playbook.city { record["city"] = .string(city) }
        if let state = playbook.state { record["state"] = .string(state.uppercased()) }
        if let runID = playbook.runID { record["run_id"] = .string(runID) }
        var writer = JSONWriter(capacity: 512)
        writer.object(record)
        // Prepared from the fields at hand: reading back the bytes just written cost a parse per playbook.
        let prepared = try ingest.prepare(record, bytes: writer.bytes, position: 0, corpus: corpus)
        try await queue.store(prepared, in: corpus, requestID: requestID)
        return Recorded(id: id, corpus: corpus.name, role: role)
    }

    /// FNV-1a 64 of the parts, as 16 hex digits: a stable id, not a security measure.
    static func contentHash(_ parts: String...) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in parts.joined(separator: "\u{1F}").utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
