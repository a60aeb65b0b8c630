import LakehouseKit
import Testing
@testable import MatrixService

@Suite struct CorpusSearchTests {
    let workers = Corpus(name: "workers", index: "workers", textFields: ["role"], roleField: "role", dims: 4)
    let toledo = City(name: "Toledo", state: "OH", lat: 41.65, lon: -83.54)

    /// Tier 0 for ids starting "near", 1 otherwise (stands in for the radius test).
    let tier: (IndexHit, Retriever.Place) -> Int = { hit, _ in hit.id.hasPrefix("near") ? 0 : 1 }

    func hits(_ prefix: String, _ count: Int, role: String = "welder") -> [IndexHit] {
        (0..<count).map { IndexHit(id: "\(prefix)-\($0)", score: 1 - Double($0) / 100, metadata: ["role": .string(role)]) }
    }

    func search(k: Int = 10, filters: [String: JSONValue] = ["state": "OH"], role: String? = "welder", place: Bool = true) -> CorpusSearch {
        CorpusSearch(corpus: workers, k: k, filters: filters, role: role, place: place ? Retriever.Place(state: "OH", center: toledo) : nil,
                     nearCities: ["Toledo", "Maumee"])
    }

    @Test func thePlaceSearchAddsRoleStateAndNearbyCitiesToTheFilters() {
        let plan = search(filters: [:])
        #expect(plan.nearFilter == ["role": "welder", "state": "OH", "city": .array(["Toledo", "Maumee"])])
        #expect(plan.request(.near).k == plan.pool && plan.pool == 30 && plan.keep == 30)
        #expect(plan.request(.plain).filter.isEmpty)
        #expect(plan.request(.roleFiltered).filter == ["role": "welder"])
        // Without a place there is no place search; a filter the request set is never overridden.
        #expect(search(place: false).nearFilter == nil)
        #expect(search(filters: ["city": "Lima", "state": "OH"]).nearFilter == ["role": "welder", "state": "OH", "city": "Lima"])
    }

    @Test func enoughNearHitsEndTheSearchAfterOneRound() {
        var plan = search()
        #expect(plan.pending(speculate: false, tier: tier) == [.near])
        // On a small index the searches that may follow go with the first.
        #expect(plan.pending(speculate: true, tier: tier) == [.near, .plain])
        #expect(plan.pending(speculate: true, speculateRole: true, tier: tier) == [.near, .plain, .roleFiltered])
        #expect(search(filters: ["role": "welder"]).pending(speculate: true, speculateRole: true, tier: tier) == [.near, .plain])
        plan.receive(.near, hits("near", 30))
        #expect(plan.pending(speculate: false, tier: tier).isEmpty)
        let outcome = plan.outcome(tier: tier)
        #expect(outcome.hits.count == plan.keep && outcome.dropped == 0 && outcome.hits.allSatisfy { $0.tier == 0 })
    }

    @Test func tooFewNearHitsAskForThePlainSearchThenTheRoleFilteredOne() {
        var plan = search()
        plan.receive(.near, hits("near", 4))
        #expect(plan.pending(speculate: false, tier: tier) == [.plain])
        // A full pool with other roles in it: the gate drops them and asks for the role's search.
        plan.receive(.plain, hits("far", 20) + hits("nurse", 10, role: "nurse"))
        #expect(plan.pending(speculate: false, tier: tier) == [.roleFiltered])
        plan.receive(.roleFiltered, hits("far", 25) + hits("extra", 5))
        #expect(plan.pending(speculate: false, tier: tier).isEmpty)
        let outcome = plan.outcome(tier: tier)
        #expect(outcome.dropped == 10)
        // Near hits first, no duplicates, no other role, at most keep.
        let ids = outcome.hits.map(\.hit.id)
        #expect(Array(ids.prefix(4)) == ["near-0", "near-1", "near-2", "near-3"])
        #expect(Set(ids).count == ids.count && ids.count == plan.keep && !ids.contains { $0.hasPrefix("nurse") })
    }

    @Test func noRoleSearchWhenThePoolWasShortOrTheGateDroppedNothing() {
        var short = search()
        short.receive(.near, hits("near", 2))
        short.receive(.plain, hits("far", 5) + hits("nurse", 3, role: "nurse"))
        #expect(short.pending(speculate: false, tier: tier).isEmpty)
        #expect(short.outcome(tier: tier).dropped == 3)
        var clean = search(place: false)
        #expect(clean.pending(speculate: false, tier: tier) == [.plain])
        #expect(clean.pending(speculate: true, speculateRole: true, tier: tier) == [.plain, .roleFiltered])
        clean.receive(.plain, hits("far", 30))
        #expect(clean.pending(speculate: false, tier: tier).isEmpty)
        // A speculated role-filtered search that turns out not to be needed adds nothing.
        clean.receive(.roleFiltered, hits("extra", 5))
        #expect(!clean.outcome(tier: tier).hits.contains { $0.hit.id.hasPrefix("extra") })
        var unroled = search(role: nil)
        unroled.receive(.near, hits("near", 1))
        unroled.receive(.plain, hits("nurse", 30, role: "nurse"))
        #expect(unroled.pending(speculate: false, tier: tier).isEmpty && unroled.outcome(tier: tier).dropped == 0)
    }

    @Test func indexSizesSpeculateOnlyOnIndexesKnownToBeSmall() {
        let sizes = IndexSizes()
        #expect(!sizes.isSmall("playbooks"))
        sizes.note("playbooks", count: 200)
        sizes.note("workers", count: 500_000)
        #expect(sizes.isSmall("playbooks") && !sizes.isSmall("workers"))
        // The role-filtered search only where the last plain search filled its pool.
        #expect(!sizes.mayNeedRoleSearch("playbooks"))
        sizes.notePlain("playbooks", filledPool: true)
        sizes.notePlain("workers", filledPool: true)
        #expect(sizes.mayNeedRoleSearch("playbooks") && !sizes.mayNeedRoleSearch("workers"))
        sizes.notePlain("playbooks", filledPool: false)
        #expect(!sizes.mayNeedRoleSearch("playbooks"))
        sizes.note("playbooks", count: IndexSizes.speculativeBelow)
        #expect(!sizes.isSmall("playbooks"))
    }

    @Test func batchAnswersDecodeInOrderWithCounts() throws {
        let answer = #"{"searches":[{"index":"workers","count":500,"results":[{"id":"W-1","metadata":{"role":"welder","state":"OH","x":1},"score":0.5}]},"#
            + #"{"index":"playbooks","count":3,"results":[]}]}"#
        let parts = try IndexHit.decode(batchAnswer: Array(answer.utf8), keeping: [["role", "state"], []])
        #expect(parts.map(\.count) == [500, 3])
        #expect(parts[0].hits.map(\.id) == ["W-1"] && parts[0].hits[0].metadata == ["role": "welder", "state": "OH"])
        #expect(String(decoding: parts[0].hits[0].rawMetadata, as: UTF8.self) == #"{"role":"welder","state":"OH","x":1}"#)
        #expect(parts[1].hits.isEmpty)
        for bad in [#"{"searches":[{"count":1}]}"#, #"{"searches":[{"results":[]}]}"#, #"{"searches":[{"results":[]},{"results":[]},{"results":[]}]}"#,
                    #"{"searches":[{"results":[]},{"results":[]}]"#, "[]", ""] {
            do {
                _ = try IndexHit.decode(batchAnswer: Array(bad.utf8), keeping: [[], []])
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.kind == .badGateway, "\(bad)")
            }
        }
    }
}
