import Foundation
import LakehouseKit
import Testing
@testable import MatrixService

@Suite struct CorpusCatalogTests {
    @Test func corporaPersistAndConflictsAreRefused() throws {
        let dir = NSTemporaryDirectory() + "matrix-catalog-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let catalog = try CorpusCatalog(directory: dir)
        let workers = Corpus(name: "workers", index: "workers", textFields: ["role"], roleField: "role", dims: 384)
        #expect(try catalog.put(workers) == .created)
        #expect(try catalog.put(workers) == .unchanged)
        var other = workers
        other.textFields = ["role", "city"]
        #expect(throws: MatrixError.self) { try catalog.put(other) }
        let reopened = try CorpusCatalog(directory: dir)
        #expect(reopened.list() == [workers])
    }
}

/// The embedding model a corpus records: another model's vectors are refused, a corpus stored
/// before models were recorded learns its model once, and a removal is durable.
@Suite struct CorpusModelTests {
    static func directory() -> String { NSTemporaryDirectory() + "matrix-model-" + UUID().uuidString }

    @Test func aCorpusStoredBeforeModelsWereRecordedLoadsAndLearnsItsModelOnce() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try DurableFile.createDirectory(dir)
        // corpora.json as matrixd wrote it before it recorded models.
        let old = #"[{"dims":384,"index":"workers","name":"workers","role_field":"role","text_fields":["role","city"]}]"#
        try DurableFile.atomicReplace(path: dir + "/corpora.json", bytes: Array(old.utf8))
        let catalog = try CorpusCatalog(directory: dir)
        let legacy = try #require(catalog.corpus(named: "workers"))
        #expect(legacy.model == nil)
        #expect(throws: Never.self) { try legacy.requireModel("anything") }

        var learned = legacy
        learned.model = "hash-384"
        #expect(try catalog.put(learned) == .unchanged)
        #expect(try CorpusCatalog(directory: dir).corpus(named: "workers")?.model == "hash-384")
        // Once learned, another model is a conflict that names both.
        var other = legacy
        other.model = "all-minilm-l6-v2"
        do {
            _ = try catalog.put(other)
            Issue.record("another model was accepted")
        } catch {
            #expect(error.kind == .conflict && error.description.contains("hash-384") && error.description.contains("all-minilm-l6-v2"))
        }
        // A put that names no model keeps the recorded one.
        #expect(try catalog.put(legacy) == .unchanged)
        #expect(try CorpusCatalog(directory: dir).corpus(named: "workers")?.model == "hash-384")
    }

    @Test func requireModelRefusesOnlyAnotherModel() throws {
        let corpus = Corpus(name: "workers", index: "workers", textFields: ["role"], roleField: "role", dims: 384, model: "hash-384")
        #expect(throws: Never.self) { try corpus.requireModel("hash-384") }
        #expect(throws: MatrixError.self) { try corpus.requireModel("all-minilm-l6-v2") }
    }

    @Test func removalIsDurableAndUnknownNamesAreReported() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let catalog = try CorpusCatalog(directory: dir)
        let workers = Corpus(name: "workers", index: "workers", textFields: ["role"], roleField: "role", dims: 384, model: "hash-384")
        let playbooks = Corpus(name: "playbooks", index: "playbooks", textFields: ["query"], roleField: "role", dims: 384, model: "hash-384")
        _ = try catalog.put(workers)
        _ = try catalog.put(playbooks)
        #expect(try catalog.remove("workers"))
        #expect(try !catalog.remove("workers"))
        #expect(try CorpusCatalog(directory: dir).list() == [playbooks])
    }
}
