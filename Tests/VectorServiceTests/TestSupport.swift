import Foundation
import LakehouseKit
@testable import VectorService

/// A fresh directory under /tmp, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "vectord-test-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Clustered vectors plus queries, with the rows also as `VectorItem`s.
struct Dataset {
    let dims: Int
    let data: [Float]
    let queries: [Float]
    var count: Int { data.count / dims }
    var queryCount: Int { queries.count / dims }

    init(count: Int, dims: Int, queries: Int, clusters: Int = 50, seed: UInt64 = 42) {
        let gen = SyntheticVectors(dims: dims, clusters: clusters, seed: seed)
        self.dims = dims
        data = gen.vectors(count: count, stream: 0)
        self.queries = gen.vectors(count: queries, stream: 1)
    }

    func row(_ i: Int) -> [Float] { Array(data[(i * dims)..<((i + 1) * dims)]) }
    func query(_ i: Int) -> [Float] { Array(queries[(i * dims)..<((i + 1) * dims)]) }
    func id(_ i: Int) -> String { "item-\(i)" }

    /// Metadata with a broad field (`group`, 10 values), a narrow one (`rare`, ~1 in 2,000 rows) and
    /// a list-valued one (`tags`).
    func metadata(_ i: Int) -> [String: JSONValue] {
        var m: [String: JSONValue] = ["group": .string("g\(i % 10)"), "n": .number(Double(i)),
                                      "tags": .array([.string("t\(i % 3)"), .string("u\(i % 7)")])]
        if i % 2000 == 7 { m["rare"] = true }
        return m
    }

    func items(_ range: Range<Int>? = nil, withMetadata: Bool = true) -> [VectorItem] {
        (range ?? 0..<count).map { VectorItem(id: id($0), vector: row($0), metadata: withMetadata ? metadata($0) : [:]) }
    }

    /// The data as the index stores it: unit rows under cosine.
    func stored(metric: Metric) -> [Float] {
        guard metric == .cosine else { return data }
        var out = data
        for r in 0..<count {
            var row = Array(out[(r * dims)..<((r + 1) * dims)])
            _ = DistanceKernels.normalize(&row)
            out.replaceSubrange((r * dims)..<((r + 1) * dims), with: row)
        }
        return out
    }

    /// Exact ids of the k nearest rows to query `q`, optionally only rows passing `include`.
    func exact(_ q: [Float], k: Int, metric: Metric, stored: [Float], include: ((Int) -> Bool)? = nil) -> [String] {
        var query = q
        if metric == .cosine { _ = DistanceKernels.normalize(&query) }
        return stored.withUnsafeBufferPointer {
            BruteForceSearch.topK(query: query, vectors: $0, dims: dims, metric: metric, k: k, where: include)
        }.map { id($0.position) }
    }
}

/// |found ∩ truth| / |truth|, averaged by the caller.
func overlap(_ found: [String], _ truth: [String]) -> Double {
    guard !truth.isEmpty else { return 1 }
    let t = Set(truth)
    return Double(found.filter { t.contains($0) }.count) / Double(truth.count)
}

func config(_ dir: TemporaryDirectory, _ tweak: (inout VectorConfig) -> Void = { _ in }) -> VectorConfig {
    var c = VectorConfig()
    c.dataDir = dir.path
    tweak(&c)
    return c
}

/// Creates `name` in a fresh catalog and upserts `items`.
func makeIndex(_ dir: TemporaryDirectory, name: String = "test", params: IndexParams, items: [VectorItem],
               tweak: (inout VectorConfig) -> Void = { _ in }) async throws -> (IndexCatalog, VectorIndex) {
    let catalog = try IndexCatalog.open(config: config(dir, tweak))
    let (index, _) = try catalog.create(name: name, params: params)
    if !items.isEmpty { _ = try await index.upsert(items) }
    return (catalog, index)
}
