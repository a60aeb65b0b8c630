import Foundation
import Glibc
import LakehouseKit
import Testing

/// vectord as a real process: what a search shows is durable, and int8 indexes keep their
/// quantiser across SIGKILL and compaction.
@Suite(.serialized) struct VectorDurabilityFleetTests {
    /// A deterministic 16-d vector for item `i`.
    private func vector(_ i: Int) -> [Double] {
        var state = UInt64(i + 7) &* 0x9E37_79B9_7F4A_7C15
        return (0..<16).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(Int(state >> 40) % 2000 - 1000) / 1000
        }
    }

    private func literal(_ v: [Double]) -> String { v.map { String($0) }.joined(separator: ",") }

    private func itemsJSON(_ range: Range<Int>) -> String {
        #"{"items":[\#(range.map { #"{"id":"v-\#($0)","vector":[\#(literal(vector($0)))]}"# }.joined(separator: ","))]}"#
    }

    /// Searches aimed at the batch being upserted record every id they see before its upsert is
    /// acknowledged; SIGKILL lands in that window, round after round. Each id a search returned
    /// must be there after the restart.
    @Test func searchesNeverReturnItemsASIGKILLLoses() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.vectord])
        #expect(await fleet.waitUntilReady(.vectord))
        #expect(try await fleet.request(.vectord, .PUT, "/v1/indexes/vis", body: #"{"dims":16,"metric":"euclidean","m":8,"ef_construction":32}"#).status == .created)
        var seenEarly = Set<Int>()
        var searches = 0
        for round in 0..<4 {
            let window = InFlightBatch()
            let base = round * 1_000_000
            let writer = Task {
                for batch in 0..<2_000 {
                    let range = base + batch * 300 ..< base + batch * 300 + 300
                    window.begin(range)
                    guard let response = try? await fleet.request(.vectord, .POST, "/v1/indexes/vis/upsert", body: itemsJSON(range), timeoutMs: 5_000),
                          response.status == .ok else { return }
                    window.acknowledge(range)
                }
            }
            let searchers = (0..<3).map { s in
                Task { () -> (seen: Set<Int>, searches: Int) in
                    var seen = Set<Int>(), count = 0
                    var probe = s
                    while !Task.isCancelled {
                        guard let range = window.unacknowledged else {
                            try? await Task.sleep(nanoseconds: 1_000_000)
                            continue
                        }
                        probe = probe &* 31 &+ 17
                        let id = range.lowerBound + abs(probe) % range.count
                        guard let response = try? await fleet.request(.vectord, .POST, "/v1/indexes/vis/search",
                                                                      body: #"{"vector":[\#(literal(vector(id)))],"k":5,"ef":64}"#, timeoutMs: 2_000),
                              response.status == .ok else { break }
                        count += 1
                        for hit in response.json?["results"] as? [[String: Any]] ?? [] {
                            if let hid = (hit["id"] as? String).flatMap({ Int($0.dropFirst(2)) }), window.isUnacknowledged(hid) {
                                seen.insert(hid)
                            }
                        }
                    }
                    return (seen, count)
                }
            }
            try await Task.sleep(nanoseconds: UInt64(300 + 170 * round) * 1_000_000)
            fleet.process(.vectord).killHard()
            await writer.value
            for s in searchers {
                s.cancel()
                let result = await s.value
                seenEarly.formUnion(result.seen)
                searches += result.searches
            }
            try fleet.restart(.vectord)
            #expect(await fleet.waitUntilReady(.vectord), "\(fleet.process(.vectord).log)")
            var lost: [Int] = []
            for id in seenEarly.sorted() where try await fleet.request(.vectord, .GET, "/v1/indexes/vis/items/v-\(id)").status != .ok {
                lost.append(id)
            }
            #expect(lost.isEmpty, "round \(round): searches returned \(lost.count) items that SIGKILL lost, e.g. \(lost.prefix(5))")
        }
        // Enough searches landed in the kill windows to mean something (a loaded machine runs fewer).
        #expect(searches >= 8, "the searches ran (\(searches))")
        _ = fleet.stop()
    }

    @Test func int8IndexSurvivesSIGKILLAndCompactionWithItsQuantizer() async throws {
        let fleet = try Fleet(extraEnvironment: ["VECTORD_EXACT_SEARCH_BELOW": "0"])
        defer { fleet.removeData() }
        try fleet.start([.vectord])
        #expect(await fleet.waitUntilReady(.vectord))
        let created = try await fleet.request(.vectord, .PUT, "/v1/indexes/small", body: #"{"dims":16,"metric":"cosine","m":8,"ef_construction":32,"quantization":"int8"}"#)
        #expect(created.status == .created)
        #expect(created.json?["quantization"] as? String == "int8")
        #expect(try await fleet.request(.vectord, .PUT, "/v1/indexes/small", body: #"{"dims":16,"metric":"cosine"}"#).status == .conflict)
        #expect(try await fleet.request(.vectord, .PUT, "/v1/indexes/small", body: #"{"dims":16,"quantization":"int4"}"#).status == .badRequest)
        #expect(try await fleet.request(.vectord, .POST, "/v1/indexes/small/upsert", body: itemsJSON(0..<2_000), timeoutMs: 120_000).status == .ok)
        let quantizerPath = "\(fleet.dataDirectory)/vectord/small/quantizer.bin"
        let trained = try #require(FileManager.default.contents(atPath: quantizerPath))

        func selfMatches(_ ids: [Int]) async throws -> Int {
            var found = 0
            for id in ids {
                let r = try await fleet.request(.vectord, .POST, "/v1/indexes/small/search", body: #"{"vector":[\#(literal(vector(id)))],"k":1}"#)
                if (r.json?["results"] as? [[String: Any]])?.first?["id"] as? String == "v-\(id)" { found += 1 }
            }
            return found
        }
        fleet.process(.vectord).killHard()
        try fleet.restart(.vectord)
        #expect(await fleet.waitUntilReady(.vectord), "\(fleet.process(.vectord).log)")
        #expect(FileManager.default.contents(atPath: quantizerPath) == trained)
        #expect(try await fleet.request(.vectord, .GET, "/v1/indexes/small").json?["count"] as? Int == 2_000)
        #expect(try await selfMatches(Array(stride(from: 1_000, to: 2_000, by: 50))) == 20)

        // Deleting past VECTORD_COMPACT_RATIO (0.3) compacts in the background, then snapshots.
        let ids = (0..<1_000).map { #""v-\#($0)""# }.joined(separator: ",")
        #expect(try await fleet.request(.vectord, .POST, "/v1/indexes/small/delete", body: #"{"ids":[\#(ids)]}"#).json?["deleted"] as? Int == 1_000)
        var compactions = 0
        let deadline = Date().addingTimeInterval(60)
        while compactions == 0 && Date() < deadline {
            try await Task.sleep(nanoseconds: 100_000_000)
            compactions = try await fleet.request(.vectord, .GET, "/v1/indexes/small").json?["compactions"] as? Int ?? 0
        }
        #expect(compactions >= 1)
        fleet.process(.vectord).killHard()
        try fleet.restart(.vectord)
        #expect(await fleet.waitUntilReady(.vectord), "\(fleet.process(.vectord).log)")
        #expect(FileManager.default.contents(atPath: quantizerPath) == trained)
        let stats = try #require(try await fleet.request(.vectord, .GET, "/v1/indexes/small").json)
        #expect(stats["count"] as? Int == 1_000)
        #expect(stats["quantization"] as? String == "int8")
        #expect(try await selfMatches(Array(stride(from: 1_000, to: 2_000, by: 50))) == 20)
        let metrics = try await fleet.request(.vectord, .GET, "/metrics").text
        #expect(metrics.contains("vectord_kernels_info{instruction_set="))
        #expect(metrics.contains("vectord_int8_kernel_info{kernel="))
        _ = fleet.stop()
    }

    /// VECTORD_KERNELS=baseline forces the baseline kernels (int8's scalar one too), and the daemon says so.
    @Test func kernelsCanBeForcedToBaseline() async throws {
        let fleet = try Fleet(extraEnvironment: ["VECTORD_KERNELS": "baseline"])
        defer { fleet.removeData() }
        try fleet.start([.vectord])
        #expect(await fleet.waitUntilReady(.vectord))
        let metrics = try await fleet.request(.vectord, .GET, "/metrics").text
        #expect(metrics.contains(#"vectord_kernels_info{instruction_set="baseline"} 1"#), "\(metrics.prefix(400))")
        #expect(metrics.contains(#"vectord_int8_kernel_info{kernel="scalar"} 1"#), "\(metrics.prefix(600))")
        #expect(fleet.process(.vectord).log.contains("kernels=baseline"))
        #expect(fleet.process(.vectord).log.contains("int8_kernel=scalar"))
        _ = fleet.stop()
        let bad = try Fleet()
        defer { bad.removeData() }
        try bad.start([.vectord], environment: ["VECTORD_KERNELS": "avx9000"])
        let process = bad.process(.vectord)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(process.process?.terminationStatus == 2, "bad VECTORD_KERNELS exits 2: \(process.log)")
        #expect(process.log.contains("VECTORD_KERNELS=avx9000"))
    }
}

/// The upsert batch a writer has in flight, and every id it has had acknowledged.
final class InFlightBatch: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Range<Int>?

    func begin(_ range: Range<Int>) { lock.withLock { current = range } }
    func acknowledge(_ range: Range<Int>) { lock.withLock { if current == range { current = nil } } }
    var unacknowledged: Range<Int>? { lock.withLock { current } }
    func isUnacknowledged(_ id: Int) -> Bool { lock.withLock { current?.contains(id) ?? false } }
}
