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
