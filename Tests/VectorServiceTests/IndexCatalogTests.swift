import Foundation
import LakehouseKit
import Testing
@testable import VectorService

@Suite struct IndexCatalogTests {
    @Test(arguments: ["../x", "", String(repeating: "a", count: 65), "Upper", "a/b", ".", "..", "spa ce", "é"])
    func badIndexNamesAreRejected(name: String) throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let catalog = try IndexCatalog.open(config: config(dir))
        #expect(throws: VectorError.invalidIndexName(name)) { try catalog.create(name: name, params: IndexParams(dims: 4)) }
        #expect(throws: VectorError.invalidIndexName(name)) { try catalog.index(named: name) }
    }

    @Test func goodNamesUpTo64CharactersAreAccepted() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let catalog = try IndexCatalog.open(config: config(dir))
        for name in ["a", "workers", "play_books-2", String(repeating: "z", count: 64)] {
            #expect(try catalog.create(name: name, params: IndexParams(dims: 4)).1 == .created)
        }
    }

    @Test func createWithSameParamsIsExistingAndDifferentParamsConflict() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let catalog = try IndexCatalog.open(config: config(dir))
        let params = IndexParams(dims: 384, metric: .cosine)
        #expect(try catalog.create(name: "workers", params: params).1 == .created)
        #expect(try catalog.create(name: "workers", params: params).1 == .existing)
        #expect(throws: VectorError.indexConflict(name: "workers", existing: params)) {
            try catalog.create(name: "workers", params: IndexParams(dims: 128, metric: .cosine))
        }
        #expect(throws: VectorError.self) { try catalog.create(name: "workers", params: IndexParams(dims: 384, metric: .dot)) }
        #expect(throws: VectorError.self) { try catalog.create(name: "workers", params: IndexParams(dims: 384, m: 32)) }
    }

    @Test func invalidCreateParametersAreRejected() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let catalog = try IndexCatalog.open(config: config(dir))
        for p in [IndexParams(dims: 0), IndexParams(dims: 4097), IndexParams(dims: 4, m: 1), IndexParams(dims: 4, efConstruction: 0)] {
            #expect(throws: VectorError.self) { try catalog.create(name: "x", params: p) }
        }
        #expect(catalog.names.isEmpty)
    }

    @Test func unknownIndexIsNotFound() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let catalog = try IndexCatalog.open(config: config(dir))
        #expect(throws: VectorError.indexNotFound("nope")) { try catalog.index(named: "nope") }
        await #expect(throws: VectorError.indexNotFound("nope")) { try await catalog.delete(name: "nope") }
    }

    @Test func indexesSurviveReopenAndDeleteRemovesTheDirectory() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let c1 = try IndexCatalog.open(config: config(dir))
        let (a, _) = try c1.create(name: "a", params: IndexParams(dims: 2, metric: .euclidean))
        try c1.create(name: "b", params: IndexParams(dims: 3))
        _ = try await a.upsert([VectorItem(id: "p", vector: [1, 2], metadata: ["k": "v"])])
        let c2 = try IndexCatalog.open(config: config(dir))
        #expect(c2.names == ["a", "b"])
        #expect(try c2.index(named: "a").item(id: "p").metadata == ["k": "v"])
        let stats = c2.list()
        #expect(stats.map(\.name) == ["a", "b"] && stats[0].count == 1 && stats[0].dims == 2 && stats[0].bytes > 0)
        try await c2.delete(name: "a")
        #expect(!FileManager.default.fileExists(atPath: c2.root + "/a"))
        #expect(throws: VectorError.indexNotFound("a")) { try c2.index(named: "a") }
        let c3 = try IndexCatalog.open(config: config(dir))
        #expect(c3.names == ["b"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: c3.root) == ["b"])
    }

    @Test func writesToADeletedIndexAreRefused() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let catalog = try IndexCatalog.open(config: config(dir))
        let (index, _) = try catalog.create(name: "gone", params: IndexParams(dims: 1))
        try await catalog.delete(name: "gone")
        await #expect(throws: VectorError.unavailable("index \"gone\" is closed")) {
            try await index.upsert([VectorItem(id: "x", vector: [1])])
        }
    }

    @Test func configParsesVariablesAndRejectsBadValues() throws {
        let c = try VectorConfig(environment: ["LAKEHOUSE_DATA_DIR": "/srv/data", "VECTORD_DEFAULT_EF": "100", "VECTORD_COMPACT_RATIO": "0.5"])
        #expect(c.rootDirectory == "/srv/data/vectord" && c.defaultEF == 100 && c.compactRatio == 0.5)
        #expect(throws: VectorConfig.Invalid.self) { try VectorConfig(environment: ["VECTORD_MAX_K": "0"]) }
        #expect(throws: VectorConfig.Invalid.self) { try VectorConfig(environment: ["VECTORD_COMPACT_RATIO": "2"]) }
        #expect(throws: VectorConfig.Invalid.self) { try VectorConfig(environment: ["VECTORD_DEFAULT_EF": "abc"]) }
        #expect(VectorConfig().exactFilterBelow == 2_048)
        #expect(try VectorConfig(environment: ["VECTORD_EXACT_FILTER_BELOW": "0"]).exactFilterBelow == 0)
        #expect(throws: VectorConfig.Invalid.self) { try VectorConfig(environment: ["VECTORD_EXACT_FILTER_BELOW": "-1"]) }
    }
}
