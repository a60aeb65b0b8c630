import Foundation
import LakehouseKit
import Testing
@testable import VectorService

/// Recovery = snapshot + log replay must reproduce the index exactly.
@Suite struct IndexSnapshotTests {
    static let data = Dataset(count: 4_000, dims: 24, queries: 20)

    /// Every query's results, to compare two indexes.
    func answers(_ index: VectorIndex, filter: MetadataFilter? = nil) throws -> [[String]] {
        let d = Self.data
        return try (0..<d.queryCount).map { try index.search(vector: d.query($0), k: 10, ef: 50, filter: filter).map(\.id) }
    }

    @Test func snapshotPlusLogReplayReproducesTheIndex() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Self.data
        let (catalog, index) = try await makeIndex(dir, params: IndexParams(dims: 24, metric: .cosine, m: 8, efConstruction: 64),
                                                   items: d.items(0..<3_000)) { $0.exactSearchBelow = 0 }
        try await index.snapshot()
        _ = try await index.upsert(d.items(3_000..<4_000))
        _ = try await index.delete(ids: (0..<200).map { d.id($0) })
        _ = try await index.upsert([VectorItem(id: d.id(3_500), vector: d.row(1), metadata: ["moved": true])])
        let before = try answers(index)
        let beforeItem = try index.item(id: d.id(3_500))
        let beforeStats = index.stats()
        // Simulate a crash: no close, no final snapshot; reopen from disk.
        let reopened = try IndexCatalog.open(config: catalog.config)
        let again = try reopened.index(named: "test")
        #expect(again.count == beforeStats.count)
        #expect(try again.item(id: d.id(3_500)) == beforeItem)
        #expect(throws: VectorError.itemNotFound(index: "test", id: d.id(5))) { try again.item(id: d.id(5)) }
        #expect(try answers(again) == before)
        #expect(try answers(again, filter: MetadataFilter(["group": "g4"])) == (try answers(index, filter: MetadataFilter(["group": "g4"]))))
    }

    @Test func reopenAfterSnapshotAcceptsFurtherWritesAndRecoversThem() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Self.data
        let (catalog, index) = try await makeIndex(dir, params: IndexParams(dims: 24, metric: .euclidean), items: d.items(0..<1_000))
        await catalog.close()  // clean shutdown writes a snapshot
        #expect(FileManager.default.fileExists(atPath: index.directory + "/snapshot.bin"))
        let second = try IndexCatalog.open(config: catalog.config)
        let i2 = try second.index(named: "test")
        #expect(i2.count == 1_000)
        _ = try await i2.upsert(d.items(1_000..<1_500))
        _ = try await i2.delete(ids: [d.id(0)])
        // crash again (no close)
        let third = try IndexCatalog.open(config: catalog.config)
        let i3 = try third.index(named: "test")
        #expect(i3.count == 1_499)
        #expect(try i3.item(id: d.id(1_499)).vector == d.row(1_499))
        #expect(try i3.search(vector: d.row(1_234), k: 1).first?.id == d.id(1_234))
        #expect(try answers(i3) == (try answers(i2)))
    }

    @Test func snapshotDropsTheLogSegmentsItCovers() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Self.data
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 24), items: d.items(0..<500))
        try await index.snapshot()
        let files = try FileManager.default.contentsOfDirectory(atPath: index.directory).sorted()
        #expect(files == ["meta.json", "snapshot.bin", WriteAheadLog.fileName(generation: 1)])
    }

    @Test func corruptSnapshotIsRefusedNotServed() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Self.data
        let (catalog, index) = try await makeIndex(dir, params: IndexParams(dims: 24), items: d.items(0..<300))
        try await index.snapshot()
        let path = index.directory + "/snapshot.bin"
        var bytes = Array(FileManager.default.contents(atPath: path)!)
        bytes[bytes.count / 2] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: IndexSnapshot.Corrupt.self) { try IndexCatalog.open(config: catalog.config) }
    }

    @Test func automaticSnapshotAfterConfiguredLogBytes() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Self.data
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 24), items: []) { $0.snapshotWALBytes = 1 << 16 }
        for start in stride(from: 0, to: 2_000, by: 200) { _ = try await index.upsert(d.items(start..<(start + 200))) }
        for _ in 0..<100 where index.stats().snapshots == 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(index.stats().snapshots >= 1)
    }
}
