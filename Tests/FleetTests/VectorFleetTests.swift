import Foundation
import Glibc
import Testing
import LakehouseKit

/// vectord as a real process: durability across SIGKILL, bad input, concurrency.
@Suite(.serialized) struct VectorFleetTests {
    /// A deterministic 16-d vector for item `i`.
    private func vector(_ i: Int) -> [Double] {
        var state = UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
        return (0..<16).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(Int(state >> 40) % 2000 - 1000) / 1000
        }
    }

    private func itemsJSON(_ range: Range<Int>) -> String {
        let items = range.map { i in
            #"{"id":"w-\#(i)","vector":[\#(vector(i).map { String($0) }.joined(separator: ","))],"metadata":{"n":\#(i),"state":"\#(i % 2 == 0 ? "OH" : "MI")"}}"#
        }
        return #"{"items":[\#(items.joined(separator: ","))]}"#
    }

    @Test func everyAcknowledgedWriteSurvivesSIGKILL() async throws {
        try await killDuringUpserts(writers: 4, batches: 200, batchSize: 25, killAfter: 1_500)
    }

    /// Batches of 300 take the bulk path: two insert threads, each committing groups of prepared
    /// items under one write lock. Every acknowledged item must still be there after a SIGKILL.
    @Test func everyAcknowledgedBulkBatchSurvivesSIGKILLDuringParallelGroupedInserts() async throws {
        try await killDuringUpserts(writers: 2, batches: 40, batchSize: 300, killAfter: 3_000)
    }

    /// Concurrent writers upsert `batches` batches of `batchSize` each; SIGKILL lands once
    /// `killAfter` items are acknowledged. After a restart every acknowledged item is present.
    private func killDuringUpserts(writers: Int, batches: Int, batchSize: Int, killAfter: Int) async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.vectord])
        #expect(await fleet.waitUntilReady(.vectord))
        #expect(try await fleet.request(.vectord, .PUT, "/v1/indexes/durable", body: #"{"dims":16,"metric":"euclidean"}"#).status == .created)

        // Concurrent writers; SIGKILL lands while batches are in flight. Only acknowledged batches count.
        let acknowledged = AcknowledgedBatches()
        let writers = Task {
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for batch in 0..<batches {
                            let start = (writer * batches + batch) * batchSize
                            guard let response = try? await fleet.request(.vectord, .POST, "/v1/indexes/durable/upsert", body: itemsJSON(start..<start + batchSize), timeoutMs: 5_000),
                                  response.status == .ok else { return }
                            acknowledged.add(start..<start + batchSize)
                        }
                    }
                }
            }
        }
        // Let a good number of batches land, then kill without warning.
        while acknowledged.count < killAfter { try await Task.sleep(nanoseconds: 5_000_000) }
        fleet.process(.vectord).killHard()
        await writers.value
        let survivors = acknowledged.ids
        #expect(survivors.count >= killAfter)

        try fleet.restart(.vectord)
        #expect(await fleet.waitUntilReady(.vectord), "\(fleet.process(.vectord).log)")
        var missing: [Int] = []
        for id in survivors {
            let response = try await fleet.request(.vectord, .GET, "/v1/indexes/durable/items/w-\(id)")
            guard response.status == .ok, let json = response.json,
                  (json["metadata"] as? [String: Any])?["n"] as? Int == id,
                  let stored = json["vector"] as? [Double], zip(stored, vector(id)).allSatisfy({ abs($0 - $1) < 1e-6 })
            else {
                missing.append(id)
                continue
            }
        }
        #expect(missing.isEmpty, "\(missing.count) acknowledged items lost or changed, e.g. \(missing.prefix(5))")
        let stats = try #require(try await fleet.request(.vectord, .GET, "/v1/indexes/durable").json)
        #expect((stats["count"] as? Int ?? 0) >= survivors.count)
        // Searching the recovered index works and finds an item by its own vector.
        let probe = survivors.first!
        let search = try await fleet.request(.vectord, .POST, "/v1/indexes/durable/search",
                                             body: #"{"vector":[\#(vector(probe).map { String($0) }.joined(separator: ","))],"k":1,"ef":200}"#)
        let first = (search.json?["results"] as? [[String: Any]])?.first
        #expect(first?["id"] as? String == "w-\(probe)")
        _ = fleet.stop()
    }

    @Test func gracefulStopSnapshotsAndRestartRecovers() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.vectord])
        #expect(await fleet.waitUntilReady(.vectord))
        _ = try await fleet.request(.vectord, .PUT, "/v1/indexes/snap", body: #"{"dims":16}"#)
        #expect(try await fleet.request(.vectord, .POST, "/v1/indexes/snap/upsert", body: itemsJSON(0..<300)).status == .ok)
        #expect(try await fleet.request(.vectord, .POST, "/v1/indexes/snap/delete", body: #"{"ids":["w-1","w-2","nope"]}"#).json?["deleted"] as? Int == 2)
        #expect(fleet.process(.vectord).terminate() == 0)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(fleet.dataDirectory)/vectord/snap")) ?? []
        #expect(files.contains { $0.hasPrefix("snapshot") }, "\(files)")
        try fleet.restart(.vectord)
        #expect(await fleet.waitUntilReady(.vectord))
        #expect(try await fleet.request(.vectord, .GET, "/v1/indexes/snap").json?["count"] as? Int == 298)
        #expect(try await fleet.request(.vectord, .GET, "/v1/indexes/snap/items/w-1").status == .notFound)
        _ = fleet.stop()
    }

    @Test func quietIndexIsSnapshottedPeriodically() async throws {
        let fleet = try Fleet(extraEnvironment: ["VECTORD_SNAPSHOT_INTERVAL_S": "1"])
        defer { fleet.removeData() }
        try fleet.start([.vectord])
        #expect(await fleet.waitUntilReady(.vectord))
        _ = try await fleet.request(.vectord, .PUT, "/v1/indexes/quiet", body: #"{"dims":16}"#)
        #expect(try await fleet.request(.vectord, .POST, "/v1/indexes/quiet/upsert", body: itemsJSON(0..<50)).status == .ok)
        var snapshots = 0
        let deadline = Date().addingTimeInterval(10)
        while snapshots == 0 && Date() < deadline {
            try await Task.sleep(nanoseconds: 200_000_000)
            snapshots = try await fleet.request(.vectord, .GET, "/v1/indexes/quiet").json?["snapshots"] as? Int ?? 0
        }
        #expect(snapshots >= 1)
        #expect(FileManager.default.fileExists(atPath: "\(fleet.dataDirectory)/vectord/quiet/snapshot.bin"))
        fleet.process(.vectord).killHard()
        try fleet.restart(.vectord)
        #expect(await fleet.waitUntilReady(.vectord))
        #expect(try await fleet.request(.vectord, .GET, "/v1/indexes/quiet").json?["count"] as? Int == 50)
        _ = fleet.stop()
    }

    @Test func badInputGets4xxWithTheEnvelope() async throws {
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_MAX_BODY": "65536", "LAKEHOUSE_MAX_STREAM_BODY": "131072"])
        defer { fleet.removeData() }
        try fleet.start([.vectord])
        #expect(await fleet.waitUntilReady(.vectord))
        #expect(try await fleet.request(.vectord, .PUT, "/v1/indexes/v", body: #"{"dims":3,"metric":"dot"}"#).status == .created)
        let longName = String(repeating: "a", count: 65)
        let cases: [(HTTPMethod, String, String?, Int)] = [
            (.PUT, "/v1/indexes/v", #"{"dims":3,"metric":"cosine"}"#, 409),
            (.PUT, "/v1/indexes/v", #"{"dims":4,"metric":"dot"}"#, 409),
            (.PUT, "/v1/indexes/..%2Fx", #"{"dims":3}"#, 400),
            (.PUT, "/v1/indexes/\(longName)", #"{"dims":3}"#, 400),
            (.PUT, "/v1/indexes/UPPER", #"{"dims":3}"#, 400),
            (.PUT, "/v1/indexes/x", #"{"dims":0}"#, 400),
            (.PUT, "/v1/indexes/x", #"{"dims":"three"}"#, 400),
            (.PUT, "/v1/indexes/x", #"{"dims":3,"metric":"manhattan"}"#, 400),
            (.PUT, "/v1/indexes/x", #"{"metric":"dot"}"#, 400),
            (.PUT, "/v1/indexes/x", "not json", 400),
            (.POST, "/v1/indexes/v/upsert", #"{"items":[{"id":"a","vector":[1,2]}]}"#, 400),
            (.POST, "/v1/indexes/v/upsert", #"{"items":[{"id":"a","vector":[1,2,"x"]}]}"#, 400),
            (.POST, "/v1/indexes/v/upsert", #"{"items":[{"id":"a","vector":[1,2,1e999]}]}"#, 400),
            (.POST, "/v1/indexes/v/upsert", #"{"items":[{"id":"","vector":[1,2,3]}]}"#, 400),
            (.POST, "/v1/indexes/v/upsert", #"{"items":[{"vector":[1,2,3]}]}"#, 400),
            (.POST, "/v1/indexes/v/upsert", #"{"item":[]}"#, 400),
            // The upsert body streams, so LAKEHOUSE_MAX_BODY does not bound it: this is a dims mismatch…
            (.POST, "/v1/indexes/v/upsert", #"{"items":[{"id":"big","vector":[\#(Array(repeating: "1", count: 40_000).joined(separator: ","))]}]}"#, 400),
            // …and LAKEHOUSE_MAX_STREAM_BODY does.
            (.POST, "/v1/indexes/v/upsert", #"{"items":[{"id":"huge","vector":[\#(Array(repeating: "1", count: 70_000).joined(separator: ","))]}]}"#, 413),
            (.POST, "/v1/indexes/v/upsert", #"{"items":{"id":"a"}}"#, 400),
            (.POST, "/v1/indexes/v/upsert", #"{"items":[{"id":"a","vector":[1,2,3]}"#, 400),
            (.POST, "/v1/indexes/v/upsert", #"[1,2,3]"#, 400),
            (.POST, "/v1/indexes/nope/upsert", #"{"items":[]}"#, 404),
            (.POST, "/v1/indexes/v/search", #"{"vector":[1,2,3],"k":0}"#, 400),
            (.POST, "/v1/indexes/v/search", #"{"vector":[1,2,3],"k":1000000}"#, 400),
            (.POST, "/v1/indexes/v/search", #"{"vector":[1,2,3],"k":-5}"#, 400),
            (.POST, "/v1/indexes/v/search", #"{"vector":[1,2],"k":5}"#, 400),
            (.POST, "/v1/indexes/v/search", #"{"vector":[1,2,3],"filter":"state"}"#, 400),
            (.POST, "/v1/indexes/v/search", #"{"vector":[1,2,3],"kk":3}"#, 400),
            (.POST, "/v1/indexes/nope/search", #"{"vector":[1,2,3]}"#, 404),
            (.POST, "/v1/indexes/v/delete", "nope", 400),
            (.POST, "/v1/indexes/v/delete", #"{"ids":"a"}"#, 400),
            (.POST, "/v1/indexes/v/delete", #"{"ids":[1,2]}"#, 400),
            (.POST, "/v1/indexes/v/delete", #"{"idz":["a"]}"#, 400),
            (.POST, "/v1/indexes/nope/delete", #"{"ids":["a"]}"#, 404),
            (.POST, "/v1/indexes/v/delete", #"{"ids":["\#(String(repeating: "z", count: 70_000))"]}"#, 413),
            (.GET, "/v1/indexes/v/items/missing", nil, 404),
            (.GET, "/v1/indexes/nope", nil, 404),
            (.DELETE, "/v1/indexes/nope", nil, 404),
            (.PATCH, "/v1/indexes/v", "{}", 405),
        ]
        for (method, path, body, status) in cases {
            let response = try await fleet.request(.vectord, method, path, body: body)
            #expect(response.status.code == status, "\(method) \(path) \(body?.prefix(50) ?? "") → \(response.status.code) \(response.text.prefix(160))")
            let error = response.json?["error"] as? [String: Any]
            #expect(error?["code"] is String && error?["message"] is String, "\(response.text.prefix(160))")
        }
        #expect(try await fleet.request(.vectord, .GET, "/v1/indexes/v").status == .ok)
        _ = fleet.stop()
    }

    @Test func bulkUpsertStreamsBodiesFarLargerThanTheBodyLimit() async throws {
        // 64 KiB for ordinary bodies; the 20,000-item upsert below is ~3.5 MB and streams.
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_MAX_BODY": "65536"])
        defer { fleet.removeData() }
        try fleet.start([.vectord])
        #expect(await fleet.waitUntilReady(.vectord))
        _ = try await fleet.request(.vectord, .PUT, "/v1/indexes/bulk", body: #"{"dims":16,"m":8,"ef_construction":64}"#)
        let body = itemsJSON(0..<20_000)
        #expect(body.utf8.count > 3_000_000)
        let response = try await fleet.request(.vectord, .POST, "/v1/indexes/bulk/upsert", body: body, timeoutMs: 60_000)
        #expect(response.status == .ok, "\(response.text.prefix(200))")
        #expect(response.json?["upserted"] as? Int == 20_000)
        #expect(try await fleet.request(.vectord, .GET, "/v1/indexes/bulk").json?["count"] as? Int == 20_000)

        // A bad item mid-stream: 400 naming its position; the connection is not reused for garbage.
        var items = (0..<3000).map { i in #"{"id":"x-\#(i)","vector":[\#(vector(i).map { String($0) }.joined(separator: ","))]}"# }
        items[2500] = #"{"id":"x-2500","vector":[1,2]}"#
        let bad = try await fleet.request(.vectord, .POST, "/v1/indexes/bulk/upsert", body: #"{"items":[\#(items.joined(separator: ","))]}"#)
        #expect(bad.status == .badRequest)
        #expect(bad.text.contains("dimensions"), "\(bad.text)")
        // Ordinary bodies are still bounded by LAKEHOUSE_MAX_BODY.
        let search = try await fleet.request(.vectord, .POST, "/v1/indexes/bulk/search", body: #"{"vector":[\#(Array(repeating: "0.5", count: 40_000).joined(separator: ","))]}"#)
        #expect(search.status == .payloadTooLarge)
        _ = fleet.stop()
    }

    @Test func concurrentSearchesDuringUpsertsAreWellFormed() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.vectord])
        #expect(await fleet.waitUntilReady(.vectord))
        _ = try await fleet.request(.vectord, .PUT, "/v1/indexes/busy", body: #"{"dims":16,"metric":"cosine","m":8,"ef_construction":64}"#)
        _ = try await fleet.request(.vectord, .POST, "/v1/indexes/busy/upsert", body: itemsJSON(0..<500))
        let malformed = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for batch in 1..<40 { _ = try await fleet.request(.vectord, .POST, "/v1/indexes/busy/upsert", body: itemsJSON(batch * 100..<batch * 100 + 100)) }
                return 0
            }
            for searcher in 0..<4 {
                group.addTask {
                    var bad = 0
                    for q in 0..<60 {
                        let probe = vector(searcher * 1000 + q).map { String($0) }.joined(separator: ",")
                        let response = try await fleet.request(.vectord, .POST, "/v1/indexes/busy/search", body: #"{"vector":[\#(probe)],"k":10,"filter":{"state":["OH","MI"]}}"#)
                        let results = response.json?["results"] as? [[String: Any]]
                        let scores = results?.compactMap { $0["score"] as? Double } ?? []
                        if response.status != .ok || results?.count != 10 || scores != scores.sorted(by: >) { bad += 1 }
                    }
                    return bad
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(malformed == 0)
        #expect(fleet.process(.vectord).isRunning)
        _ = fleet.stop()
    }
}

/// Ids of upsert batches vectord acknowledged, shared by the writer tasks.
final class AcknowledgedBatches: @unchecked Sendable {
    private let lock = NSLock()
    private var set = Set<Int>()
    func add(_ range: Range<Int>) { lock.lock(); set.formUnion(range); lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return set.count }
    var ids: [Int] { lock.lock(); defer { lock.unlock() }; return set.sorted() }
}
