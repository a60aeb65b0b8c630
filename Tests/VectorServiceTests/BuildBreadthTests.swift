import Foundation
import LakehouseKit
import Testing
@testable import VectorService

@Suite struct BuildBreadthTests {
    /// matrixd builds its playbooks index at ef_construction 64 (vectord's default is 200). At
    /// playbook sizes the answers it asks for do not change: role-filtered searches (one role of
    /// many) are exact whatever the graph, and plain searches keep their recall.
    @Test func aPlaybookSizedIndexAnswersTheSameAtEfConstruction64() async throws {
        let dir = TemporaryDirectory(), other = TemporaryDirectory()
        defer { dir.cleanup(); other.cleanup() }
        let d = Dataset(count: 4_000, dims: 32, queries: 40)
        let (_, full) = try await makeIndex(dir, name: "full", params: IndexParams(dims: 32, metric: .cosine, efConstruction: 200), items: d.items())
        let (_, cheap) = try await makeIndex(other, name: "cheap", params: IndexParams(dims: 32, metric: .cosine, efConstruction: 64), items: d.items())
        let stored = d.stored(metric: .cosine)
        var recallFull = 0.0, recallCheap = 0.0
        for q in 0..<d.queryCount {
            let group = "g\(q % 10)"
            let filter = MetadataFilter(["group": .string(group)])
            let a = try full.search(vector: d.query(q), k: 20, ef: nil, filter: filter).map(\.id)
            let b = try cheap.search(vector: d.query(q), k: 20, ef: nil, filter: filter).map(\.id)
            #expect(a == b)
            #expect(b == d.exact(d.query(q), k: 20, metric: .cosine, stored: stored) { $0 % 10 == q % 10 })
            let truth = d.exact(d.query(q), k: 20, metric: .cosine, stored: stored)
            recallFull += overlap(try full.search(vector: d.query(q), k: 20, ef: nil, filter: nil).map(\.id), truth)
            recallCheap += overlap(try cheap.search(vector: d.query(q), k: 20, ef: nil, filter: nil).map(\.id), truth)
        }
        recallFull /= Double(d.queryCount)
        recallCheap /= Double(d.queryCount)
        #expect(recallCheap >= 0.98, "recall at ef_construction 64: \(recallCheap)")
        #expect(recallCheap >= recallFull - 0.01, "64: \(recallCheap), 200: \(recallFull)")
    }
}
