import Foundation
import LakehouseKit
import Testing
@testable import VectorService

/// Recall of the graph against exact search, on 20,000 clustered 128-d vectors (the issue's
/// acceptance bar), for every metric.
@Suite(.serialized) struct HNSWIndexTests {
    static let data = Dataset(count: 20_000, dims: 128, queries: 200)

    func recall(metric: Metric, ef: Int, quantization: Quantization = .float) async throws -> Double {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Self.data
        let (catalog, index) = try await makeIndex(dir, params: IndexParams(dims: 128, metric: metric, quantization: quantization),
                                                   items: d.items(withMetadata: false))
        defer { Task { await catalog.close() } }
        let stored = d.stored(metric: metric)
        var total = 0.0
        for q in 0..<d.queryCount {
            let hits = try index.search(vector: d.query(q), k: 10, ef: ef)
            total += overlap(hits.map(\.id), d.exact(d.query(q), k: 10, metric: metric, stored: stored))
        }
        return total / Double(d.queryCount)
    }

    @Test(arguments: Metric.allCases)
    func recallAt10IsAtLeast95PercentOnClusteredData(metric: Metric) async throws {
        let r = try await recall(metric: metric, ef: 64)
        #expect(r >= 0.95, "recall@10 \(r) for \(metric)")
    }

    /// int8: the graph walks 8-bit codes and re-ranks with full precision; recall at the same ef
    /// as the float test must hold, for every metric.
    @Test(arguments: Metric.allCases)
    func int8RecallAt10IsAtLeast95PercentAtTheSameEF(metric: Metric) async throws {
        let r = try await recall(metric: metric, ef: 64, quantization: .int8)
        #expect(r >= 0.95, "int8 recall@10 \(r) for \(metric)")
    }

    @Test func searchOnEmptyIndexReturnsNothing() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 4), items: [])
        #expect(try index.search(vector: [1, 0, 0, 0], k: 5).isEmpty)
    }

    @Test func kLargerThanIndexReturnsEveryItemBestFirst() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let items = (0..<5).map { VectorItem(id: "v\($0)", vector: [Float($0), 1]) }
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 2, metric: .euclidean), items: items)
        let hits = try index.search(vector: [0, 1], k: 50)
        #expect(hits.map(\.id) == ["v0", "v1", "v2", "v3", "v4"])
        #expect(hits[0].distance == 0)
        #expect(hits[0].score == 1)
    }

    @Test func upsertOfExistingIDReplacesVectorAndMetadata() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 2, metric: .euclidean),
                                             items: [VectorItem(id: "a", vector: [0, 0], metadata: ["v": 1])])
        _ = try await index.upsert([VectorItem(id: "a", vector: [5, 5], metadata: ["v": 2])])
        #expect(index.count == 1)
        let item = try index.item(id: "a")
        #expect(item.vector == [5, 5])
        #expect(item.metadata == ["v": 2])
        #expect(try index.search(vector: [5, 5], k: 3).map(\.id) == ["a"])
    }

    @Test func graphSearchIsUsedAboveExactThresholdAndStillFindsExactMatch() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Dataset(count: 3_000, dims: 32, queries: 1)
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 32, metric: .euclidean),
                                             items: d.items(withMetadata: false)) { $0.exactSearchBelow = 100 }
        for i in stride(from: 0, to: 3_000, by: 97) {
            let hits = try index.search(vector: d.row(i), k: 1, ef: 32)
            #expect(hits.first?.id == d.id(i))
        }
    }
}
