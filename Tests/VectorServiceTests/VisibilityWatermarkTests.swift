import Foundation
import Testing
@testable import VectorService

/// Visibility follows durability.
@Suite struct VisibilityWatermarkTests {
    @Test func watermarkMovesOnlyPastDurableNodesInOrder() {
        let w = VisibilityWatermark()
        w.committed(node: 0, lsn: 0)  // recovered: durable already
        #expect(w.limit == 1)
        w.committed(node: 1, lsn: 5)
        w.committed(node: 2, lsn: 6)
        #expect(w.limit == 1)
        w.durable(upTo: 5)
        #expect(w.limit == 2)
        w.durable(upTo: 4)  // never backwards
        #expect(w.limit == 2)
        w.durable(upTo: 9)
        #expect(w.limit == 3)
        // A commit whose record was already reported durable is visible at once.
        w.committed(node: 3, lsn: 8)
        #expect(w.limit == 4)
        w.reset(visibleNodes: 10)
        #expect(w.limit == 10)
    }

    /// A committed node is a waypoint, not a result, until its log record is durable.
    @Test func searchesSkipNodesWhoseRecordIsNotDurable() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Dataset(count: 3_000, dims: 8, queries: 0)
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 8, metric: .euclidean, m: 8, efConstruction: 32),
                                             items: d.items(0..<2_999)) { $0.exactSearchBelow = 0 }
        let graph = index.graph
        let last = d.row(2_999)
        last.withUnsafeBufferPointer { v in
            let prepared = graph.prepareInsert(v.baseAddress!, level: 0)
            _ = graph.commitInsert(prepared, vector: v.baseAddress!, id: "pending", metadata: [:], metadataBytes: 0) { UInt64.max - 1 }
        }
        let hidden = try index.search(vector: last, k: 3, ef: 64)
        #expect(!hidden.contains { $0.id == "pending" })
        #expect(throws: VectorError.self) { try index.item(id: "pending") }
        #expect(try index.search(vector: last, k: 3, ef: 64, filter: MetadataFilter(["group": .string("g9")])).allSatisfy { $0.id != "pending" })
        graph.visibility.durable(upTo: UInt64.max - 1)
        #expect(try index.search(vector: last, k: 1, ef: 64).first?.id == "pending")
        #expect(try index.item(id: "pending").vector == last)
    }

    /// A snapshot taken while upserts run loses nothing: the image is captured without holding
    /// off writers for its write, and the log after it replays the rest.
    @Test func snapshotDuringConcurrentUpsertsRecoversEveryItem() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Dataset(count: 6_000, dims: 16, queries: 0)
        let (catalog, index) = try await makeIndex(dir, params: IndexParams(dims: 16, metric: .cosine, m: 8, efConstruction: 32),
                                                   items: d.items(0..<2_000)) { $0.exactSearchBelow = 0 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for start in stride(from: 2_000, to: 6_000, by: 200) { _ = try await index.upsert(d.items(start..<(start + 200))) }
            }
            group.addTask {
                for _ in 0..<4 { try await index.snapshot() }
            }
            try await group.waitForAll()
        }
        let reopened = try IndexCatalog.open(config: catalog.config).index(named: "test")
        #expect(reopened.count == 6_000)
        for i in stride(from: 0, to: 6_000, by: 97) {
            #expect(try reopened.search(vector: d.row(i), k: 1, ef: 64).first?.id == d.id(i))
        }
    }
}
