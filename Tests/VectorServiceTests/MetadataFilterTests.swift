import LakehouseKit
import Testing
@testable import VectorService

@Suite struct MetadataFilterTests {
    @Test func exactMatchListAnyOfAndKeysAnded() {
        let meta: [String: JSONValue] = ["state": "OH", "role": "forklift operator", "skills": ["reach truck", "inventory"], "n": 3]
        #expect(MetadataFilter(["state": "OH"]).matches(meta))
        #expect(!MetadataFilter(["state": "MI"]).matches(meta))
        #expect(MetadataFilter(["state": ["MI", "OH"]]).matches(meta))
        #expect(MetadataFilter(["state": "OH", "role": ["nurse", "forklift operator"]]).matches(meta))
        #expect(!MetadataFilter(["state": "OH", "role": "nurse"]).matches(meta))
        #expect(MetadataFilter(["skills": "inventory"]).matches(meta))
        #expect(MetadataFilter(["n": 3.0]).matches(meta))
        #expect(!MetadataFilter(["missing": "x"]).matches(meta))
        #expect(!MetadataFilter(["state": []]).matches(meta))
        #expect(MetadataFilter([:]).matches(meta))
    }

    @Test func filterMustBeAnObject() {
        #expect(throws: VectorError.self) { try MetadataFilter(json: ["a", "b"]) }
    }

    @Test func postingsAnswerEqualsScanningEveryItem() {
        let d = Dataset(count: 3_000, dims: 2, queries: 0)
        var postings = MetadataPostings()
        for i in 0..<d.count { postings.add(node: UInt32(i), metadata: d.metadata(i)) }
        let filters: [MetadataFilter] = [
            MetadataFilter(["group": "g3"]),
            MetadataFilter(["group": ["g1", "g2"], "tags": "t0"]),
            MetadataFilter(["rare": true]),
            MetadataFilter(["tags": ["u1", "u2"], "group": "g5"]),
            MetadataFilter(["group": "nope"]),
        ]
        for f in filters {
            let scanned = (0..<d.count).filter { f.matches(d.metadata($0)) }.map { UInt32($0) }
            #expect(postings.candidates(for: f) == scanned)
        }
        #expect(postings.candidates(for: MetadataFilter(["obj": ["a": 1]])) == nil)
    }

    /// A filter with clauses the postings cannot answer (a list or object value) is narrowed by its
    /// scalar clauses first, and only their matches are checked against the rest.
    @Test func mixedFiltersAreNarrowedByTheirScalarClausesFirst() {
        let d = Dataset(count: 3_000, dims: 2, queries: 0)
        var postings = MetadataPostings()
        for i in 0..<d.count { postings.add(node: UInt32(i), metadata: d.metadata(i)) }
        let pair: JSONValue = ["t1", "u4"]  // the whole `tags` list of rows with i % 3 == 1, i % 7 == 4
        let mixed = MetadataFilter(["group": "g3", "tags": [pair]])
        let (candidates, residual) = postings.narrow(by: mixed)
        #expect(residual.clauses.map(\.key) == ["tags"])
        let g3: [UInt32] = (0..<d.count).filter { $0 % 10 == 3 }.map { UInt32($0) }
        #expect(candidates == g3)
        let scanned = (0..<d.count).filter { mixed.matches(d.metadata($0)) }.map { UInt32($0) }
        #expect(!scanned.isEmpty && scanned.allSatisfy { (n: UInt32) -> Bool in n % 3 == 1 && n % 7 == 4 })
        #expect((candidates ?? []).filter { residual.matches(d.metadata(Int($0))) } == scanned)
        let unanswerable = postings.narrow(by: MetadataFilter(["tags": [pair]]))
        #expect(unanswerable.candidates == nil && unanswerable.residual.clauses.count == 1)
        let scalar = postings.narrow(by: MetadataFilter(["group": "g3", "tags": "t1"]))
        #expect(scalar.residual.isEmpty)
        let g3t1 = (0..<d.count).filter { (i: Int) -> Bool in i % 10 == 3 && i % 3 == 1 }.map { UInt32($0) }
        #expect(scalar.candidates == g3t1)
    }

    /// Clauses of very different sizes (a state, a role, a few cities), long lists with a bitset and
    /// short ones without: every way of narrowing (bit tests, merge, galloping) must equal a scan.
    @Test func postingsNarrowSkewedClausesExactly() {
        func meta(_ i: Int) -> [String: JSONValue] {
            ["state": i % 5 == 0 ? "OH" : "TX", "role": .string("r\(i % 37)"), "city": .string("c\(i % 101)"), "tags": [.string("t\(i % 3)"), .string("u\(i % 11)")]]
        }
        var postings = MetadataPostings()
        for i in 0..<20_000 { postings.add(node: UInt32(i), metadata: meta(i)) }
        let filters: [MetadataFilter] = [
            MetadataFilter(["state": "OH", "role": "r4"]),
            MetadataFilter(["state": "OH", "role": "r4", "city": ["c1", "c2", "c50", "c99"]]),
            MetadataFilter(["state": ["OH", "TX"], "city": "c7"]),
            MetadataFilter(["role": ["r1", "r2"], "tags": ["u3", "t1"], "state": "TX"]),
            MetadataFilter(["city": "c3", "role": "r36", "state": "OH", "tags": "u10"]),
            MetadataFilter(["state": "OH", "role": "none"]),
            MetadataFilter(["state": "TX", "tags": "t0"]),
            MetadataFilter(["tags": ["t1", "t2"], "state": "TX", "city": ["c4", "c5", "c6"]]),
        ]
        for f in filters {
            let scanned = (0..<20_000).filter { f.matches(meta($0)) }.map { UInt32($0) }
            #expect(postings.candidates(for: f) == scanned, "\(f)")
        }
        for (list, target) in [([1, 3, 5, 7, 9] as [UInt32], UInt32(6)), ([], 1), ([2, 4], 9), ([2, 4], 0)] {
            let expected = list.firstIndex { $0 >= target } ?? list.count
            for start in 0...min(expected, list.count) { #expect(MetadataPostings.gallop(list, from: start, to: target) == expected) }
        }
    }
}

/// Filtered search against brute force with the same filter.
@Suite struct FilteredSearchTests {
    static let data = Dataset(count: 12_000, dims: 64, queries: 40)

    @Test func filteredSearchEqualsBruteForceWithSameFilter() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Self.data
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 64, metric: .euclidean), items: d.items())
        let stored = d.stored(metric: .euclidean)
        // (filter, must equal exactly): selective filters take the exact path and must be equal;
        // broad ones go through the graph and must keep recall.
        let cases: [(MetadataFilter, (Int) -> Bool, Bool)] = [
            (MetadataFilter(["rare": true]), { $0 % 2000 == 7 }, true),
            (MetadataFilter(["group": "g3", "tags": "u2"]), { $0 % 10 == 3 && $0 % 7 == 2 }, true),
            (MetadataFilter(["group": ["g1", "g2", "g3", "g4", "g5"]]), { (1...5).contains($0 % 10) }, false),
            (MetadataFilter(["tags": ["t0", "t1"]]), { $0 % 3 != 2 }, false),
        ]
        for (filter, include, exact) in cases {
            var total = 0.0
            for q in 0..<d.queryCount {
                let hits = try index.search(vector: d.query(q), k: 10, ef: 64, filter: filter)
                let truth = d.exact(d.query(q), k: 10, metric: .euclidean, stored: stored, include: include)
                #expect(hits.count == truth.count)
                #expect(hits.allSatisfy { filter.matches($0.metadata) })
                if exact { #expect(hits.map(\.id) == truth) }
                total += overlap(hits.map(\.id), truth)
            }
            #expect(total / Double(d.queryCount) >= 0.95, "filtered recall for \(filter)")
        }
    }

    /// Filters mixing scalar clauses with ones the postings cannot answer (a list or object value)
    /// give the answer of checking the whole filter against every item.
    @Test func mixedFilterAnswersEqualScanningEveryItem() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Self.data
        var items = d.items()
        for i in items.indices { items[i].metadata["loc"] = ["zone": .string("z\(i % 4)")] }
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 64, metric: .euclidean), items: items)
        let stored = d.stored(metric: .euclidean)
        let pair: JSONValue = ["t1", "u4"]
        // (filter, rows it matches, must equal exactly: small matching sets are scanned)
        let cases: [(MetadataFilter, (Int) -> Bool, Bool)] = [
            (MetadataFilter(["group": "g3", "tags": [pair]]), { $0 % 10 == 3 && $0 % 3 == 1 && $0 % 7 == 4 }, true),
            (MetadataFilter(["loc": [["zone": "z1"]], "group": ["g1", "g2"]]), { $0 % 4 == 1 && (1...2).contains($0 % 10) }, true),
            (MetadataFilter(["loc": [["zone": "z1"], ["zone": "z2"]], "tags": "u3", "n": [pair]]), { _ in false }, true),
            (MetadataFilter(["loc": [["zone": "z2"]]]), { $0 % 4 == 2 }, false),
        ]
        for (filter, include, exact) in cases {
            var total = 0.0
            for q in 0..<10 {
                let hits = try index.search(vector: d.query(q), k: 10, ef: 64, filter: filter)
                let truth = d.exact(d.query(q), k: 10, metric: .euclidean, stored: stored, include: include)
                #expect(hits.count == truth.count)
                #expect(hits.allSatisfy { filter.matches($0.metadata) })
                if exact { #expect(hits.map(\.id) == truth, "\(filter)") }
                total += overlap(hits.map(\.id), truth)
            }
            #expect(total / 10 >= 0.95, "recall for \(filter)")
        }
    }

    @Test func searchReturnsKHitsUnderSelectiveFilter() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let d = Self.data
        // Exactly 10 items carry "pick": the search must return all 10 whatever the graph does.
        var items = d.items(withMetadata: false)
        for i in stride(from: 5, to: d.count, by: d.count / 10) { items[i].metadata = ["pick": "yes"] }
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 64, metric: .cosine), items: items) {
            $0.exactSearchBelow = 0
        }
        for q in 0..<5 {
            let hits = try index.search(vector: d.query(q), k: 10, ef: 10, filter: MetadataFilter(["pick": "yes"]))
            #expect(hits.count == 10)
            #expect(Set(hits.map(\.id)).count == 10)
        }
        #expect(try index.search(vector: d.query(0), k: 10, filter: MetadataFilter(["pick": "no"])).isEmpty)
    }
}
