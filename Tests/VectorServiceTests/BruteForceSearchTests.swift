import Testing
@testable import VectorService

/// The oracle itself: top-k equals sorting every distance.
@Suite struct BruteForceSearchTests {
    @Test(arguments: Metric.allCases)
    func topKEqualsFullSort(metric: Metric) {
        let d = Dataset(count: 500, dims: 10, queries: 5)
        let stored = d.stored(metric: metric)
        for qi in 0..<d.queryCount {
            var q = d.query(qi)
            if metric == .cosine { _ = DistanceKernels.normalize(&q) }
            let top = stored.withUnsafeBufferPointer {
                BruteForceSearch.topK(query: q, vectors: $0, dims: 10, metric: metric, k: 7)
            }
            let all = (0..<d.count).map { row in
                (row, BruteForceSearch.distance(q, Array(stored[(row * 10)..<((row + 1) * 10)]), metric: metric))
            }.sorted { $0.1 < $1.1 }
            #expect(top.map(\.position) == all.prefix(7).map(\.0))
        }
    }

    @Test func includePredicateRestrictsCandidates() {
        let d = Dataset(count: 200, dims: 4, queries: 1)
        let top = d.data.withUnsafeBufferPointer {
            BruteForceSearch.topK(query: d.query(0), vectors: $0, dims: 4, metric: .euclidean, k: 5) { $0 % 2 == 0 }
        }
        #expect(top.count == 5 && top.allSatisfy { $0.position % 2 == 0 })
    }
}
