import Foundation
import Testing
@testable import LakehouseKit

/// Event and run ids made without `/dev/urandom`: still version-4 UUIDs in the shape Foundation
/// writes (lower-cased), and never repeated.
@Suite struct EventIDTests {
    @Test func idsAreLowerCaseVersion4UUIDs() throws {
        for _ in 0..<1_000 {
            let id = EventID.make()
            let parsed = try #require(UUID(uuidString: id), "\(id)")
            #expect(parsed.uuidString.lowercased() == id)
            let bytes = Array(id.utf8)
            #expect(bytes.count == 36 && [8, 13, 18, 23].allSatisfy { bytes[$0] == UInt8(ascii: "-") })
            #expect(bytes[14] == UInt8(ascii: "4"), "version nibble of \(id)")
            #expect("89ab".utf8.contains(bytes[19]), "variant nibble of \(id)")
            #expect(id == id.lowercased())
        }
    }

    @Test func idsDoNotRepeatAcrossThreads() async {
        let batches = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<25_000).map { _ in EventID.make() } } }
            var all: [[String]] = []
            for await batch in group { all.append(batch) }
            return all
        }
        let ids = batches.flatMap { $0 }
        #expect(ids.count == 100_000 && Set(ids).count == ids.count)
    }
}
