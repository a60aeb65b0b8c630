import LakehouseKit
import Testing
@testable import VectorService

/// The filtered search's choice between an exact scan and the graph walk (`FilteredSearchPlan`),
/// and the walk's recall against the exact answer.
@Suite struct FilteredSearchPlanTests {
    @Test func smallMatchingSetsAreScannedExactly() {
        for live in [1_000, 100_000, 10_000_000] {
            #expect(FilteredSearchPlan.choose(matching: 400, live: live, k: 20, ef: 64, exactFilterBelow: 2_048, maxEF: 4_096) == .exact)
            #expect(FilteredSearchPlan.choose(matching: 2_048, live: live, k: 20, ef: 64, exactFilterBelow: 2_048, maxEF: 4_096) == .exact)
            #expect(FilteredSearchPlan.choose(matching: 15, live: live, k: 20, ef: 64, exactFilterBelow: 0, maxEF: 4_096) == .exact)
        }
    }

    /// One role of twenty: past the cap the walk is chosen, and its breadth, hence its cost, stays
    /// the same however large the index grows; the old rule (exact while matching ≤ live / 8)
    /// scanned live / 20 items.
    @Test func aFixedShareOfAGrowingIndexCostsTheSame() {
        var breadths: Set<Int> = []
        for live in [100_000, 1_000_000, 10_000_000, 100_000_000] {
            let plan = FilteredSearchPlan.choose(matching: live / 20, live: live, k: 20, ef: 64, exactFilterBelow: 2_048, maxEF: 4_096)
            guard case .graph(let breadth) = plan else {
                Issue.record("\(live): \(plan)")
                continue
            }
            #expect(breadth >= 64)
            breadths.insert(breadth)
        }
        #expect(breadths.count == 1)
    }

    /// A filter matching a tiny share of a large index would make the walk expand most of the
    /// graph to collect its matches: scanning them is cheaper, and chosen.
    @Test func aVerySelectiveFilterIsScannedWhenTheWalkWouldCostMore() {
        #expect(FilteredSearchPlan.choose(matching: 3_000, live: 3_000_000, k: 10, ef: 64, exactFilterBelow: 2_048, maxEF: 4_096) == .exact)
        let broad = FilteredSearchPlan.choose(matching: 1_500_000, live: 3_000_000, k: 10, ef: 64, exactFilterBelow: 2_048, maxEF: 4_096)
        let narrow = FilteredSearchPlan.choose(matching: 100_000, live: 3_000_000, k: 10, ef: 64, exactFilterBelow: 2_048, maxEF: 4_096)
        guard case .graph(let wide) = broad, case .graph(let deep) = narrow else {
            Issue.record("\(broad) \(narrow)")
            return
        }
        #expect(wide >= 64 && deep > wide, "breadth grows with selectivity: \(wide) \(deep)")
        #expect(FilteredSearchPlan.choose(matching: 500_000, live: 1_000_000, k: 10, ef: 4_096, exactFilterBelow: 0, maxEF: 4_096)
            == .graph(breadth: 4_096))
    }

    /// Role-filtered top-10 from the graph walk against the exact answer, on a clustered set whose
    /// roles do not follow the clusters (the hard case: a role's items are everywhere), at
    /// selectivities 1/2, 1/8 and 1/32, with the scan cap and the walk's cost at 0 so every search
    /// takes the walk (at the default cost, 1/32 of 10,000 is scanned).
    @Test(arguments: [2, 8, 32])
    func filteredWalkKeepsRecall(roles: Int) async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = FilteredSearchPlanTests.data
        let items = (0..<d.count).map { VectorItem(id: d.id($0), vector: d.row($0), metadata: ["role": .string("r\($0 % roles)")]) }
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: d.dims, metric: .cosine), items: items) {
            $0.exactFilterBelow = 0
            $0.filterWalkCost = 0
        }
        let stored = d.stored(metric: .cosine)
        var recall = 0.0
        for q in 0..<d.queryCount {
            let role = q % roles
            let matching = d.count / roles
            let plan = FilteredSearchPlan.choose(matching: matching, live: d.count, k: 10, ef: 64, exactFilterBelow: 0, maxEF: 4_096,
                                                 walkCost: 0)
            if case .exact = plan { Issue.record("1/\(roles) was scanned, not walked") }
            let hits = try index.search(vector: d.query(q), k: 10, ef: 64, filter: MetadataFilter(["role": .string("r\(role)")]))
            #expect(hits.count == 10)
            #expect(hits.allSatisfy { $0.metadata["role"] == .string("r\(role)") })
            recall += overlap(hits.map(\.id), d.exact(d.query(q), k: 10, metric: .cosine, stored: stored) { $0 % roles == role })
        }
        recall /= Double(d.queryCount)
        print("filtered walk recall@10 at 1/\(roles): \(recall)")
        #expect(recall >= 0.95, "recall@10 at selectivity 1/\(roles): \(recall)")
    }

    static let data = Dataset(count: 10_000, dims: 32, queries: 40)
}
