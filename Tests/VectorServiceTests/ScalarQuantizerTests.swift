import Foundation
import LakehouseKit
import Testing
@testable import VectorService

/// The int8 mode: codes, the asymmetric distance, and the quantiser's life across recovery and
/// compaction.
@Suite struct ScalarQuantizerTests {
    @Test func codesDecodeWithinHalfAStepAndOutliersClamp() {
        let rows: [Float] = [0, -1, 10, 2, 1, 20]  // two rows of 3 dims
        let q = rows.withUnsafeBufferPointer { ScalarQuantizer(training: $0.baseAddress!, count: 2, dims: 3) }
        #expect(q.offsets == [0, -1, 10])
        var codes = [UInt8](repeating: 0, count: 3)
        let v: [Float] = [1.3, 5, 15]
        let norm = v.withUnsafeBufferPointer { p in codes.withUnsafeMutableBufferPointer { q.encode(p.baseAddress!, into: $0.baseAddress!) } }
        let decoded = (0..<3).map { q.offsets[$0] + q.scales[$0] * Float(codes[$0]) }
        #expect(abs(decoded[0] - 1.3) <= q.scales[0] / 2 + 1e-6)
        #expect(codes[1] == 255)  // 5 is above the trained maximum 1: clamped
        #expect(abs(decoded[2] - 15) <= q.scales[2] / 2 + 1e-5)
        #expect(abs(norm - decoded.reduce(0) { $0 + $1 * $1 }) < 1e-3)
    }

    @Test(arguments: Metric.allCases)
    func codeDistanceApproximatesTheExactDistance(metric: Metric) {
        let d = Dataset(count: 200, dims: 48, queries: 1)
        let stored = d.stored(metric: metric)
        let q = stored.withUnsafeBufferPointer { ScalarQuantizer(training: $0.baseAddress!, count: 200, dims: 48) }
        var query = d.query(0)
        if metric == .cosine { _ = DistanceKernels.normalize(&query) }
        var queryCodes = [Int8](repeating: 0, count: 48)
        let (bias, step) = query.withUnsafeBufferPointer { p in queryCodes.withUnsafeMutableBufferPointer { q.prepare(p.baseAddress!, codes: $0.baseAddress!) } }
        #expect(queryCodes.map { abs(Int($0)) }.max() == 127, "the largest weight uses the full signed range")
        for i in 0..<48 { #expect(abs(Float(queryCodes[i]) * step - query[i] * q.scales[i]) <= step / 2 * 1.0001) }
        var record = [UInt8](repeating: 0, count: 48 + 4)
        for row in 0..<200 {
            let v = Array(stored[(row * 48)..<((row + 1) * 48)])
            let norm = v.withUnsafeBufferPointer { p in record.withUnsafeMutableBufferPointer { q.encode(p.baseAddress!, into: $0.baseAddress!) } }
            record.withUnsafeMutableBytes { $0.storeBytes(of: norm, toByteOffset: 48, as: Float.self) }
            let approx = queryCodes.withUnsafeBufferPointer { s in
                record.withUnsafeBytes {
                    CodeDistance(query: s.baseAddress!, bias: bias, step: step, dims: 48, metric: metric,
                                 queryNorm: query.reduce(0) { $0 + $1 * $1 }, normOffset: 48).distance($0.baseAddress!)
                }
            }
            let exact = BruteForceSearch.distance(query, v, metric: metric)
            // Each coordinate is off by at most half a step, and each query weight by half the query's
            // step (times the code it multiplies): bound the distance's error by both.
            var bound: Float = 1e-4 * max(1, abs(exact))
            for i in 0..<48 {
                let half = q.scales[i] / 2
                let decoded = q.offsets[i] + q.scales[i] * Float(record[i])
                let queryError = step / 2 * Float(record[i])
                bound += metric == .euclidean ? half * abs(v[i] + decoded - 2 * query[i]) + half * half + 2 * queryError
                    : half * abs(query[i]) + queryError
            }
            #expect(abs(approx - exact) <= bound, "row \(row): \(approx) vs \(exact), bound \(bound)")
        }
    }

    /// The parameters are trained once, written to quantizer.bin, carried by the snapshot, and
    /// the same after a crash (reopening without a close), after compaction, and after both.
    @Test func int8IndexKeepsItsQuantizerAcrossRecoveryAndCompaction() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Dataset(count: 3_000, dims: 24, queries: 20)
        let params = IndexParams(dims: 24, metric: .euclidean, m: 8, efConstruction: 64, quantization: .int8)
        let (catalog, index) = try await makeIndex(dir, params: params, items: d.items(0..<2_000)) { $0.exactSearchBelow = 0 }
        let trained = try #require(index.quantizer)
        #expect(FileManager.default.fileExists(atPath: index.directory + "/quantizer.bin"))
        #expect(index.stats().quantization == .int8)
        #expect(index.stats().mappedVectorBytes == 2_000 * 24 * 4)
        _ = try await index.upsert(d.items(2_000..<3_000))
        #expect(index.quantizer == trained)

        // Crash: no close, no final snapshot; recovery replays the log.
        let crashed = try IndexCatalog.open(config: catalog.config).index(named: "test")
        #expect(crashed.quantizer == trained)
        #expect(crashed.count == 3_000)
        #expect(try crashed.search(vector: d.row(2_500), k: 1).first?.id == d.id(2_500))
        #expect(try crashed.item(id: d.id(2_999)).vector == d.row(2_999))

        // Compaction rebuilds the graph and keeps the parameters; the snapshot carries them.
        _ = try await crashed.delete(ids: (0..<1_500).map { d.id($0) })
        try await crashed.compact()
        #expect(crashed.quantizer == trained)
        #expect(crashed.stats().compactions >= 1)
        try? FileManager.default.removeItem(atPath: crashed.directory + "/quantizer.bin")
        let recovered = try IndexCatalog.open(config: catalog.config).index(named: "test")
        #expect(recovered.quantizer == trained, "the snapshot alone restores the quantiser")
        #expect(recovered.count == 1_500)
        let stored = d.stored(metric: .euclidean)
        var total = 0.0
        for q in 0..<d.queryCount {
            let hits = try recovered.search(vector: d.query(q), k: 10, ef: 64)
            total += overlap(hits.map(\.id), d.exact(d.query(q), k: 10, metric: .euclidean, stored: stored) { $0 >= 1_500 })
        }
        #expect(total / Double(d.queryCount) >= 0.95)
    }

    @Test func smallInt8IndexIsServedBeforeItsQuantizerIsTrained() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Dataset(count: 300, dims: 8, queries: 0)
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 8, metric: .euclidean, quantization: .int8), items: d.items())
        #expect(index.quantizer == nil)
        #expect(try index.search(vector: d.row(7), k: 1).first?.id == d.id(7))
    }

    @Test func quantizationIsPartOfTheParameters() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let catalog = try IndexCatalog.open(config: config(dir))
        _ = try catalog.create(name: "q", params: IndexParams(dims: 4, quantization: .int8))
        #expect(try catalog.create(name: "q", params: IndexParams(dims: 4, quantization: .int8)).1 == .existing)
        #expect(throws: VectorError.self) { try catalog.create(name: "q", params: IndexParams(dims: 4)) }
        // meta.json written before the option existed means float.
        let old = try JSONDecoder().decode(IndexParams.self, from: Data(#"{"dims":4,"metric":"dot","m":16,"ef_construction":200}"#.utf8))
        #expect(old.quantization == .float)
    }
}
