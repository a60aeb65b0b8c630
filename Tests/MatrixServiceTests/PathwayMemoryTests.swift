import Foundation
import LakehouseKit
import Synchronization
import Testing
@testable import MatrixService

@Suite struct PathwayMemoryTests {
    func directory() -> String { NSTemporaryDirectory() + "matrix-memory-" + UUID().uuidString }

    @Test func versionsAreKeptInOrderAndRecoveredFromTheLog() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let memory = try PathwayMemory(directory: dir)
        let first = try await memory.create(subject: "client:acme", text: "likes early shifts")
        let kept = try await memory.create(subject: "client:acme", text: "dock at 6 am")
        _ = try await memory.create(subject: "client:other", text: "unrelated")
        let second = try await memory.update(id: first.id, text: "likes 1st shift")
        let third = try await memory.delete(id: first.id)
        #expect([first.version, second.version, third.version] == [Int](1...3))
        #expect(second.previousText == "likes early shifts" && third.previousText == "likes 1st shift" && third.text == nil)
        #expect(try await memory.delete(id: first.id) == third)  // deleting again answers the tombstone
        await #expect(throws: MatrixError.self) { try await memory.update(id: first.id, text: "x") }
        await #expect(throws: MatrixError.self) { try await memory.update(id: "mem-nope", text: "x") }
        memory.close()

        let reopened = try PathwayMemory(directory: dir)
        defer { reopened.close() }
        #expect(try reopened.history(id: first.id).map(\.event) == ["ADD", "UPDATE", "DELETE"])
        #expect(reopened.current(subject: "client:acme").map(\.id) == [kept.id])
        #expect(reopened.current(subject: nil).count == 2)
        #expect(reopened.damage.isEmpty)
    }

    @Test func searchRanksBySimilarityAndEmbedsAgainAfterAModelChange() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let memory = try PathwayMemory(directory: dir)
        defer { memory.close() }
        let a = try await memory.create(subject: "s", text: "forklift")
        let b = try await memory.create(subject: "s", text: "nurse")
        // A toy embedding: one dimension per word.
        let embed: ([String]) async throws(MatrixError) -> (vectors: [[Float]], model: String) = { texts in
            (texts.map { [$0.contains("forklift") ? 1 : 0, $0.contains("nurse") ? 1 : 0, 0.1] }, "toy")
        }
        let found = try await memory.search(subject: "s", query: "forklift please", k: 2, embed: embed)
        #expect(found.map(\.0.id) == [a.id, b.id])
        #expect(found[0].1 > found[1].1)
        #expect(try await memory.search(subject: "none", query: "x", k: 2, embed: embed).isEmpty)

        // Memory vectors are cached per version, with their model. When embedd's model changes,
        // the cached vectors of the old one are embedded again, not compared with the new query.
        let calls = Mutex<[[String]]>([])
        // Model "old" puts forklift on axis 0, model "new" on axis 1: comparing across them inverts the ranking.
        func toy(_ model: String) -> ([String]) async throws(MatrixError) -> (vectors: [[Float]], model: String) {
            { texts in
                calls.withLock { $0.append(texts) }
                return (texts.map { text -> [Float] in
                    let forklift: Float = text.contains("forklift") ? 1 : 0, nurse: Float = text.contains("nurse") ? 1 : 0
                    return model == "old" ? [forklift, nurse, 0.1] : [nurse, forklift, 0.1]
                }, model)
            }
        }
        #expect(try await memory.search(subject: "s", query: "forklift", k: 2, embed: toy("old")).map(\.0.id) == [a.id, b.id])
        #expect(try await memory.search(subject: "s", query: "forklift", k: 2, embed: toy("old")).map(\.0.id) == [a.id, b.id])
        #expect(calls.withLock { $0 } == [["forklift"], ["forklift", "nurse"], ["forklift"]], "the second search embeds the query only")
        calls.withLock { $0 = [] }
        let switched = try await memory.search(subject: "s", query: "forklift", k: 2, embed: toy("new"))
        #expect(switched.map(\.0.id) == [a.id, b.id])
        #expect(calls.withLock { $0 } == [["forklift"], ["forklift", "nurse"]])
        calls.withLock { $0 = [] }
        _ = try await memory.search(subject: "s", query: "forklift", k: 2, embed: toy("new"))
        #expect(calls.withLock { $0 } == [["forklift"]], "the new model's vectors are cached")
    }

    @Test func emptyOrHugeTextIsRefused() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let memory = try PathwayMemory(directory: dir)
        defer { memory.close() }
        await #expect(throws: MatrixError.self) { try await memory.create(subject: "s", text: "  ") }
        await #expect(throws: MatrixError.self) { try await memory.create(subject: "", text: "x") }
        await #expect(throws: MatrixError.self) { try await memory.create(subject: "s", text: String(repeating: "x", count: 9000)) }
    }
}
