import Foundation
import LakehouseKit
import Testing
@testable import VectorService

@Suite struct VectorIndexTests {
    @Test func concurrentSearchesDuringUpsertsReturnWellFormedResults() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Dataset(count: 6_000, dims: 32, queries: 50)
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 32, metric: .cosine, m: 12, efConstruction: 100),
                                             items: d.items(0..<1_000)) { $0.exactSearchBelow = 0 }
        let searched = try await withThrowingTaskGroup(of: Int.self) { group in
            for w in 0..<4 {
                group.addTask {
                    var done = 0
                    for start in stride(from: 1_000 + w * 1_250, to: 1_000 + (w + 1) * 1_250, by: 125) {
                        _ = try await index.upsert(d.items(start..<(start + 125)))
                        // Delete one of the first 1,000 items, which exist from the start.
                        done += try await index.delete(ids: [d.id(w * 250 + (start - 1_000 - w * 1_250) / 125)])
                    }
                    return done
                }
            }
            for s in 0..<4 {
                group.addTask {
                    var n = 0
                    for round in 0..<150 {
                        let filter: MetadataFilter? = round % 3 == 0 ? MetadataFilter(["group": .string("g\(s)")]) : nil
                        let hits = try index.search(vector: d.query((round + s) % d.queryCount), k: 10, ef: 40, filter: filter)
                        // Well formed: k hits once the index has ≥ k matches, distinct ids, best first.
                        #expect(hits.count == 10)
                        #expect(Set(hits.map(\.id)).count == hits.count)
                        #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.distance <= $1.distance })
                        if let filter { #expect(hits.allSatisfy { filter.matches($0.metadata) }) }
                        n += 1
                        await Task.yield()
                    }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(searched == 600 + 40)
        #expect(index.count == 6_000 - 40)
    }

    @Test func deletedIDsAreNeverReturnedAndRecallHoldsAfterDeleting30Percent() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Dataset(count: 10_000, dims: 48, queries: 100)
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 48, metric: .euclidean),
                                             items: d.items(withMetadata: false)) { $0.compactRatio = 0.99 }
        let gone = Set((0..<d.count).filter { $0 % 10 < 3 })
        _ = try await index.delete(ids: gone.map { d.id($0) })
        #expect(index.count == 7_000)
        #expect(index.stats().tombstones == 3_000)
        let stored = d.stored(metric: .euclidean)
        var total = 0.0
        for q in 0..<d.queryCount {
            let hits = try index.search(vector: d.query(q), k: 10, ef: 64)
            #expect(hits.allSatisfy { !gone.contains(Int($0.id.dropFirst(5))!) })
            total += overlap(hits.map(\.id), d.exact(d.query(q), k: 10, metric: .euclidean, stored: stored) { !gone.contains($0) })
        }
        #expect(total / Double(d.queryCount) >= 0.9)
        // A deleted item is gone for direct reads too, and deleting it again is a no-op.
        #expect(throws: VectorError.itemNotFound(index: "test", id: d.id(0))) { try index.item(id: d.id(0)) }
        #expect(try await index.delete(ids: [d.id(0)]) == 0)
    }

    @Test func compactionRebuildsWithoutTombstonesAndKeepsServing() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Dataset(count: 4_000, dims: 16, queries: 30)
        let (catalog, index) = try await makeIndex(dir, params: IndexParams(dims: 16, metric: .euclidean, m: 8, efConstruction: 64),
                                                   items: d.items()) { $0.exactSearchBelow = 0 }
        _ = try await index.delete(ids: (0..<2_000).map { d.id($0 * 2) })
        try await index.compact()
        let s = index.stats()
        #expect(s.tombstones == 0 && s.count == 2_000 && s.compactions >= 1)
        let stored = d.stored(metric: .euclidean)
        var total = 0.0
        for q in 0..<d.queryCount {
            let hits = try index.search(vector: d.query(q), k: 10, ef: 64)
            total += overlap(hits.map(\.id), d.exact(d.query(q), k: 10, metric: .euclidean, stored: stored) { $0 % 2 == 1 })
        }
        #expect(total / Double(d.queryCount) >= 0.95)
        _ = try await index.upsert([VectorItem(id: "new", vector: d.row(0))])
        let reopened = try IndexCatalog.open(config: catalog.config).index(named: "test")
        #expect(reopened.count == 2_001)
        #expect(try reopened.search(vector: d.row(0), k: 1).first?.id == "new")
    }

    @Test func writesDuringCompactionAreKeptAndRecovered() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Dataset(count: 6_000, dims: 16, queries: 20)
        let (catalog, index) = try await makeIndex(dir, params: IndexParams(dims: 16, metric: .euclidean, m: 8, efConstruction: 48),
                                                   items: d.items(0..<3_000)) { $0.exactSearchBelow = 0; $0.compactRatio = 0.99 }
        _ = try await index.delete(ids: (0..<1_500).map { d.id($0) })
        // Compact while other tasks insert, replace and delete, and searches run.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await index.compact() }
            group.addTask {
                for start in stride(from: 3_000, to: 6_000, by: 100) { _ = try await index.upsert(d.items(start..<(start + 100))) }
            }
            group.addTask {
                for i in stride(from: 1_500, to: 2_000, by: 1) {
                    _ = try await index.upsert([VectorItem(id: d.id(i), vector: d.row(i + 3_000), metadata: ["moved": true])])
                }
                _ = try await index.delete(ids: (2_000..<2_200).map { d.id($0) })
            }
            group.addTask {
                for q in 0..<200 {
                    let hits = try index.search(vector: d.query(q % d.queryCount), k: 10, ef: 32)
                    #expect(hits.count == 10)
                }
            }
            try await group.waitForAll()
        }
        let expectedLive = Set((1_500..<6_000).filter { !(2_000..<2_200).contains($0) }.map { d.id($0) })
        #expect(index.count == expectedLive.count)
        #expect(try index.item(id: d.id(1_700)).metadata == ["moved": true])
        #expect(throws: VectorError.self) { try index.item(id: d.id(2_100)) }
        #expect(throws: VectorError.self) { try index.item(id: d.id(10)) }
        let reopened = try IndexCatalog.open(config: catalog.config).index(named: "test")
        #expect(reopened.count == expectedLive.count)
        #expect(try reopened.item(id: d.id(1_700)).vector == d.row(4_700))
        #expect(try reopened.item(id: d.id(5_999)).vector == d.row(5_999))
        #expect(throws: VectorError.self) { try reopened.item(id: d.id(2_100)) }
    }

    @Test func streamingUpsertAppliesEveryItemInBatches() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Dataset(count: 2_500, dims: 8, queries: 0)
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 8, metric: .dot), items: [])
        let stream = AsyncStream<VectorItem> { continuation in
            for item in d.items() { continuation.yield(item) }
            continuation.finish()
        }
        #expect(try await index.upsert(streaming: stream, batchSize: 300) == 2_500)
        #expect(index.count == 2_500)
        #expect(try index.item(id: d.id(2_499)).metadata == d.metadata(2_499))
    }

    @Test func validationRejectsBadVectorsIDsKAndEF() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 3), items: [VectorItem(id: "a", vector: [1, 2, 3])])
        await #expect(throws: VectorError.dimensionMismatch(expected: 3, got: 2)) {
            try await index.upsert([VectorItem(id: "b", vector: [1, 2])])
        }
        await #expect(throws: VectorError.self) { try await index.upsert([VectorItem(id: "b", vector: [1, .nan, 3])]) }
        await #expect(throws: VectorError.self) { try await index.upsert([VectorItem(id: "b", vector: [1, .infinity, 3])]) }
        await #expect(throws: VectorError.self) { try await index.upsert([VectorItem(id: "b", vector: [0, 0, 0])]) }
        await #expect(throws: VectorError.invalidItemID("item id must not be empty")) {
            try await index.upsert([VectorItem(id: "", vector: [1, 2, 3])])
        }
        await #expect(throws: VectorError.self) { try await index.upsert([VectorItem(id: String(repeating: "x", count: 257), vector: [1, 2, 3])]) }
        // A bad item anywhere rejects the whole call before anything is applied.
        await #expect(throws: VectorError.self) {
            try await index.upsert([VectorItem(id: "ok", vector: [1, 1, 1]), VectorItem(id: "bad", vector: [1])])
        }
        #expect(index.count == 1)
        for k in [0, -1, 1_001, Int.max] {
            #expect(throws: VectorError.self) { try index.search(vector: [1, 2, 3], k: k) }
        }
        #expect(throws: VectorError.self) { try index.search(vector: [1, 2, 3], k: 1, ef: 0) }
        #expect(throws: VectorError.self) { try index.search(vector: [1, 2, 3], k: 1, ef: 1_000_000) }
        #expect(throws: VectorError.dimensionMismatch(expected: 3, got: 4)) { try index.search(vector: [1, 2, 3, 4], k: 1) }
        #expect(throws: VectorError.self) { try index.search(vector: [.nan, 2, 3], k: 1) }
        #expect((try? index.search(vector: [1, 2, 3], k: 1))?.first?.id == "a")
    }

    @Test func errorKindsMapToHTTPCategories() {
        #expect(VectorError.invalidIndexName("X").kind == .badRequest)
        #expect(VectorError.dimensionMismatch(expected: 1, got: 2).kind == .badRequest)
        #expect(VectorError.indexNotFound("x").kind == .notFound)
        #expect(VectorError.itemNotFound(index: "x", id: "y").kind == .notFound)
        #expect(VectorError.indexConflict(name: "x", existing: IndexParams(dims: 1)).kind == .conflict)
        #expect(VectorError.tooLarge("").kind == .tooLarge)
    }

    @Test func upsertBatchLargerThanLimitIsTooLarge() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 1), items: []) { $0.maxBatch = 2 }
        await #expect(throws: VectorError.self) {
            try await index.upsert((0..<3).map { VectorItem(id: "\($0)", vector: [1]) })
        }
    }
}
