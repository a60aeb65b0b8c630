import LakehouseKit
import Testing
@testable import MatrixService

@Suite struct RetrieverTests {
    func hit(_ corpus: String, _ id: String, _ score: Double, tier: Int = 0) -> Retriever.RankedHit {
        Retriever.RankedHit(corpus: corpus, hit: IndexHit(id: id, score: score, metadata: [:]), tier: tier)
    }

    @Test func mergeInterleavesByScoreAndKeepsEachCorpusOrder() {
        // The workers list is in geography order (a near worker with a lower score first).
        let workers = [hit("workers", "W-1", 0.5, tier: 0), hit("workers", "W-2", 0.9, tier: 1)]
        let playbooks = [hit("playbooks", "PB-1", 0.7), hit("playbooks", "PB-2", 0.4)]
        let merged = Retriever.merge([workers, playbooks])
        #expect(merged.map(\.hit.id) == ["PB-1", "W-1", "W-2", "PB-2"])
        #expect(merged.map(\.corpus) == ["playbooks", "workers", "workers", "playbooks"])
    }

    @Test func rankingPutsTheNearTierFirstThenScore() {
        var hits = [hit("workers", "far", 0.9, tier: 1), hit("workers", "near-low", 0.3, tier: 0), hit("workers", "near-high", 0.6, tier: 0)]
        hits.sort(by: Retriever.RankedHit.before)
        #expect(hits.map(\.hit.id) == ["near-high", "near-low", "far"])
    }

    @Test func boostIsHalfTheBoundPerPlaybookAndNeverAboveTheBound() {
        #expect(Retriever.boost(playbooks: 1, bound: 0.1) == 0.05)
        #expect(Retriever.boost(playbooks: 2, bound: 0.1) == 0.1)
        #expect(Retriever.boost(playbooks: 50, bound: 0.1) == 0.1)
        #expect(Retriever.boost(playbooks: 3, bound: 0) == 0)
    }

    @Test func filtersMustBeScalarsOrListsOfScalars() throws {
        try Retriever.validate(["state": "OH", "shifts": ["1st", "2nd"], "n": 3, "active": true])
        #expect(throws: MatrixError.self) { try Retriever.validate(["state": ["a": 1]]) }
        #expect(throws: MatrixError.self) { try Retriever.validate(["state": [["OH"]]]) }
        #expect(throws: MatrixError.self) { try Retriever.validate(["state": []]) }
        #expect(throws: MatrixError.self) { try Retriever.validate(["": "x"]) }
    }
}

@Suite struct CorpusTests {
    let corpus = Corpus(name: "workers", index: "workers", textFields: ["role", "skills", "city", "state", "rate"], roleField: "role", dims: 384)

    @Test func textJoinsTheTextFieldsInOrderSkippingMissingOnes() {
        let record: [String: JSONValue] = ["role": "welder", "skills": ["mig", "tig"], "city": "Toledo", "rate": 21, "id": "W-1"]
        #expect(corpus.text(of: record) == "welder mig tig Toledo 21")
    }

    @Test func namesFollowVectordsRule() {
        #expect(Corpus.validName("workers_2-b"))
        #expect(!Corpus.validName(""))
        #expect(!Corpus.validName("Workers"))
        #expect(!Corpus.validName("a/b"))
        #expect(!Corpus.validName(String(repeating: "a", count: 65)))
    }

    @Test func prepareRejectsRecordsWithoutIdOrRole() throws {
        let ingest = CorpusIngest(calls: PeerCalls(peers: PeerClient(client: HTTPClient(), addresses: [:], serviceToken: nil)), config: MatrixConfig())
        let ok = try ingest.prepare(Array(#"{"id":"W-1","role":"welder","city":"Toledo"}"#.utf8), position: 0, corpus: corpus)
        #expect(ok.id == "W-1" && ok.text == "welder Toledo")
        for bad in [#"{"role":"welder"}"#, #"{"id":"","role":"welder"}"#, #"{"id":1,"role":"welder"}"#, #"{"id":"W-1"}"#, #""W-1""#, "[1]", #"{"id":"W-1","role":"welder""#] {
            #expect(throws: MatrixError.self, "\(bad)") { try ingest.prepare(Array(bad.utf8), position: 3, corpus: corpus) }
        }
    }
}

@Suite struct MatrixConfigTests {
    @Test func defaultsAndOverrides() throws {
        let defaults = try MatrixConfig(environment: Environment([:]))
        #expect(defaults == MatrixConfig())
        #expect(defaults.radiusMiles == 50 && defaults.playbookBoost == 0.1 && defaults.llmFallback)
        let tuned = try MatrixConfig(environment: Environment(["MATRIXD_RADIUS_MILES": "25.5", "MATRIXD_LLM_FALLBACK": "off", "MATRIXD_UPSERT_BATCH": "100"]))
        #expect(tuned.radiusMiles == 25.5 && !tuned.llmFallback && tuned.upsertBatch == 100)
    }

    @Test func badValuesNameTheVariable() {
        for (name, value) in [("MATRIXD_RADIUS_MILES", "-1"), ("MATRIXD_PLAYBOOK_BOOST", "2"), ("MATRIXD_MAX_K", "0"), ("MATRIXD_LLM_FALLBACK", "maybe"),
                              ("MATRIXD_RADIUS_MILE", "5"), ("MATRIXD_DEFAULT_K", "500")] {
            do {
                _ = try MatrixConfig(environment: Environment([name: value]))
                Issue.record("\(name)=\(value) was accepted")
            } catch {
                #expect(error.message.contains(name), "\(error.message)")
            }
        }
    }
}
