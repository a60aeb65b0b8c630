import Foundation
import Glibc
import LakehouseKit
import Testing

/// matrixd with real embedd and vectord processes: ingest, retrieve (role gate, geography, filters,
/// attribution), playbook boost, pathway memory across SIGKILL, peers going down, bad input, and
/// the operator's `lakehouse seed`. chatd is never started: the LLM fallback finds it down.
@Suite(.serialized) struct MatrixFleetTests {
    static let workersCorpus = #"{"index":"workers","text_fields":["role","skills","city","state"],"role_field":"role"}"#
    static let playbooksCorpus = #"{"index":"playbooks","text_fields":["query","role","city","state"],"role_field":"role"}"#

    /// A fleet of embedd, vectord and matrixd, ready.
    static func startFleet(_ extra: [String: String] = [:]) async throws -> Fleet {
        // Small ingest batches keep the debug-built vectord's upserts short.
        let fleet = try Fleet(extraEnvironment: ["MATRIXD_UPSERT_BATCH": "256"].merging(extra) { $1 })
        try fleet.start([.embedd, .vectord, .matrixd])
        for daemon in [Daemon.embedd, .vectord, .matrixd] {
            #expect(await fleet.waitUntilReady(daemon), "\(daemon) not ready: \(fleet.process(daemon).log.suffix(2000))")
        }
        return fleet
    }

    /// Creates both corpora and ingests `count` generated workers; returns them.
    static func seed(_ fleet: Fleet, count: Int) async throws -> [Worker] {
        #expect(try await fleet.request(.matrixd, .PUT, "/v1/corpora/workers", body: workersCorpus).status == .created)
        #expect(try await fleet.request(.matrixd, .PUT, "/v1/corpora/workers", body: workersCorpus).status == .ok)
        #expect(try await fleet.request(.matrixd, .PUT, "/v1/corpora/playbooks", body: playbooksCorpus).status == .created)
        let generator = RosterGenerator(count: count, seed: 42)
        let workers = (0..<count).map { generator.entry(at: $0).worker }
        let lines = try workers.map { String(decoding: try JSONCoding.encode($0), as: UTF8.self) }
        let response = try await fleet.request(.matrixd, .POST, "/v1/corpora/workers/ingest", body: #"{"records":[\#(lines.joined(separator: ","))]}"#, timeoutMs: 300_000)
        #expect(response.status == .ok, "\(response.text.prefix(300))")
        #expect(response.json?["ingested"] as? Int == count)
        return workers
    }

    static func retrieve(_ fleet: Fleet, _ body: String) async throws -> (status: Int, json: [String: Any], hits: [[String: Any]]) {
        let response = try await fleet.request(.matrixd, .POST, "/v1/retrieve", body: body, timeoutMs: 30_000)
        let json = response.json ?? [:]
        return (response.status.code, json, json["results"] as? [[String: Any]] ?? [])
    }

    static func worker(_ hit: [String: Any]) throws -> Worker {
        try JSONDecoder().decode(Worker.self, from: JSONSerialization.data(withJSONObject: hit["metadata"] as Any))
    }

    @Test func retrieveFindsTheRightWorkersWithGateGeographyFiltersAndPlaybooks() async throws {
        let fleet = try await Self.startFleet()
        defer { fleet.removeData() }
        let workers = try await Self.seed(fleet, count: 1_000)
        let stats = try await fleet.request(.matrixd, .GET, "/v1/corpora/workers").json
        #expect(stats?["count"] as? Int == 1_000)

        // Forklift operators in Ohio first; Toledo's neighbourhood ahead of the rest of the state.
        let toledo = Gazetteer.city(named: "Toledo", state: "OH")!
        let (status, json, hits) = try await Self.retrieve(fleet, #"{"query":"forklift operator Toledo OH","corpora":["workers"],"k":10}"#)
        #expect(status == 200)
        #expect(json["role"] as? String == "forklift operator" && json["role_method"] as? String == "regex")
        #expect(hits.count == 10)
        let found = try hits.map(Self.worker)
        #expect(found.allSatisfy { $0.role == "forklift operator" }, "\(found.map(\.role))")
        #expect(found.allSatisfy { $0.state == "OH" }, "\(found.map(\.state))")
        let near = workers.filter { $0.role == "forklift operator" && $0.state == "OH" && Gazetteer.distanceMiles(lat1: toledo.lat, lon1: toledo.lon, lat2: $0.lat, lon2: $0.lon) <= 50 }
        let distances = found.map { Gazetteer.distanceMiles(lat1: toledo.lat, lon1: toledo.lon, lat2: $0.lat, lon2: $0.lon) }
        #expect(distances.prefix(min(10, near.count)).allSatisfy { $0 <= 50 }, "\(distances)")
        if let firstFar = distances.firstIndex(where: { $0 > 50 }) { #expect(distances[firstFar...].allSatisfy { $0 > 50 }, "\(distances)") }
        #expect(hits.allSatisfy { $0["corpus"] as? String == "workers" && ($0["id"] as? String)?.hasPrefix("W-") == true })
        let scores = hits.compactMap { $0["score"] as? Double }
        #expect(scores.allSatisfy { $0 > 0 && $0 <= 1.0001 })

        // Filters hold for every hit.
        let (_, _, filtered) = try await Self.retrieve(fleet, #"{"query":"warehouse work","corpora":["workers"],"k":25,"filters":{"state":"OH","status":"active","shifts":"2nd"}}"#)
        #expect(!filtered.isEmpty)
        for worker in try filtered.map(Self.worker) {
            #expect(worker.state == "OH" && worker.status == "active" && worker.shifts.contains("2nd"), "\(worker)")
        }
        // A selective filter still returns k hits when k exist (and all of them when fewer do).
        let rare = workers.filter { $0.state == "NV" && $0.status == "inactive" }
        let k = min(8, rare.count)
        #expect(k > 0)
        let (_, _, selective) = try await Self.retrieve(fleet, #"{"query":"staffing","corpora":["workers"],"k":\#(k),"filters":{"state":"NV","status":"inactive"}}"#)
        #expect(selective.count == k)
        #expect(try selective.map(Self.worker).allSatisfy { $0.state == "NV" && $0.status == "inactive" })
        // The role gate keeps k hits under a filter that mixes roles.
        let weldersOH = workers.filter { $0.role == "welder" && $0.state == "OH" }.count
        let (_, gated, welders) = try await Self.retrieve(fleet, #"{"query":"welder","corpora":["workers"],"k":\#(min(10, weldersOH)),"filters":{"state":"OH"}}"#)
        #expect(welders.count == min(10, weldersOH))
        #expect(try welders.map(Self.worker).allSatisfy { $0.role == "welder" && $0.state == "OH" })
        _ = gated

        // Cross-role bleed: playbooks of several roles in the same city; each role's query sees only its own.
        let roles = ["forklift operator", "registered nurse", "welder", "cdl driver", "certified nursing assistant"]
        for (n, role) in roles.enumerated() {
            for city in ["Toledo", "Columbus", "Dayton"] {
                let ids = workers.filter { $0.role == role }.prefix(2).map { "\"\($0.id)\"" }.joined(separator: ",")
                let body = #"{"query":"Need 2 \#(RoleNames.plural(role)) in \#(city), OH","role":"\#(role)","city":"\#(city)","state":"OH","worker_ids":[\#(ids)],"outcome":"filled","run_id":"run-\#(n)-\#(city)"}"#
                let recorded = try await fleet.request(.matrixd, .POST, "/v1/playbooks", body: body)
                #expect(recorded.status == .created, "\(recorded.text)")
            }
        }
        for role in roles {
            let (_, json, playbooks) = try await Self.retrieve(fleet, #"{"query":"Need staff in Toledo, OH: \#(RoleNames.plural(role))","corpora":["playbooks"],"k":10}"#)
            #expect(json["role"] as? String == role)
            #expect(playbooks.count == 3)
            #expect(playbooks.allSatisfy { ($0["metadata"] as? [String: Any])?["role"] as? String == role && $0["corpus"] as? String == "playbooks" }, "\(role): \(playbooks.map { ($0["metadata"] as? [String: Any])?["role"] ?? "?" })")
            #expect((json["gate"] as? [String: Any])?["dropped"] as? Int ?? 0 > 0, "the gate dropped nothing for \(role)")
        }
        // Attribution over two corpora: each hit names the corpus it came from.
        let (_, _, both) = try await Self.retrieve(fleet, #"{"query":"forklift operators Toledo OH","k":5}"#)
        #expect(Set(both.compactMap { $0["corpus"] as? String }) == ["workers", "playbooks"])
        for hit in both {
            let id = hit["id"] as? String ?? ""
            #expect(hit["corpus"] as? String == (id.hasPrefix("PB-") ? "playbooks" : "workers"))
        }
    }

    @Test func playbookBoostRaisesANamedWorkerForSameRoleQueriesOnlyAndStaysBounded() async throws {
        let fleet = try await Self.startFleet()
        defer { fleet.removeData() }
        _ = try await Self.seed(fleet, count: 800)
        let query = #"{"query":"forklift operator Dayton OH","corpora":["workers"],"k":10}"#
        let (_, _, before) = try await Self.retrieve(fleet, query)
        #expect(before.count == 10)
        let target = try #require(before[6]["id"] as? String)
        let baseline = try #require(before[6]["score"] as? Double)
        func score() async throws -> (Double, Int)? {
            let (_, _, hits) = try await Self.retrieve(fleet, query)
            guard let index = hits.firstIndex(where: { $0["id"] as? String == target }) else { return nil }
            return (hits[index]["score"] as! Double, index)
        }
        // A nurse playbook naming the forklift operator changes nothing for forklift queries.
        let nurse = #"{"query":"Need nurses in Dayton, OH","role":"registered nurse","city":"Dayton","state":"OH","worker_ids":["\#(target)"],"outcome":"filled","run_id":"nurse-1"}"#
        #expect(try await fleet.request(.matrixd, .POST, "/v1/playbooks", body: nurse).status == .created)
        #expect(try await score()?.0 == baseline)
        // One same-role playbook: half the bound (MATRIXD_PLAYBOOK_BOOST 0.1); two: the bound; three: still the bound.
        var expected = [baseline + 0.05, baseline + 0.1, baseline + 0.1]
        for run in 1...3 {
            let body = #"{"query":"Need forklift operators in Dayton, OH","role":"forklift operator","city":"Dayton","state":"OH","worker_ids":["\#(target)"],"outcome":"filled","run_id":"fork-\#(run)"}"#
            #expect(try await fleet.request(.matrixd, .POST, "/v1/playbooks", body: body).status == .created)
            let (boosted, rank) = try #require(try await score())
            #expect(abs(boosted - expected.removeFirst()) < 1e-6)
            #expect(rank <= 6)
        }
        // Recording the same run again is idempotent (no extra boost).
        let again = #"{"query":"Need forklift operators in Dayton, OH","role":"forklift operator","city":"Dayton","state":"OH","worker_ids":["\#(target)"],"outcome":"filled","run_id":"fork-1"}"#
        #expect(try await fleet.request(.matrixd, .POST, "/v1/playbooks", body: again).status == .created)
        #expect(abs((try await score()?.0 ?? 0) - (baseline + 0.1)) < 1e-6)
    }

    @Test func memoryKeepsEveryVersionAndSurvivesSIGKILL() async throws {
        let fleet = try await Self.startFleet()
        defer { fleet.removeData() }
        let created = try #require(try await fleet.request(.matrixd, .POST, "/v1/memory", body: #"{"subject":"client:acme","text":"Acme prefers forklift operators with reach truck experience"}"#).json)
        let id = try #require(created["id"] as? String)
        #expect(created["version"] as? Int == 1 && created["event"] as? String == "ADD")
        let other = try #require(try await fleet.request(.matrixd, .POST, "/v1/memory", body: #"{"subject":"client:acme","text":"Acme's dock opens at 6 am"}"#).json?["id"] as? String)
        let updated = try #require(try await fleet.request(.matrixd, .PUT, "/v1/memory/\(id)", body: #"{"text":"Acme wants OSHA-10 certified forklift operators"}"#).json)
        #expect(updated["version"] as? Int == 2 && updated["previous_text"] as? String == "Acme prefers forklift operators with reach truck experience")
        let search = try #require(try await fleet.request(.matrixd, .POST, "/v1/memory/search", body: #"{"subject":"client:acme","query":"osha certified forklift","k":1}"#).json)
        #expect(((search["results"] as? [[String: Any]])?.first?["memory"] as? [String: Any])?["id"] as? String == id)
        let deleted = try #require(try await fleet.request(.matrixd, .DELETE, "/v1/memory/\(id)").json)
        #expect(deleted["version"] as? Int == 3 && deleted["event"] as? String == "DELETE")

        fleet.process(.matrixd).killHard()
        try fleet.restart(.matrixd)
        #expect(await fleet.waitUntilReady(.matrixd))

        let history = try #require(try await fleet.request(.matrixd, .GET, "/v1/memory/\(id)/history").json?["versions"] as? [[String: Any]])
        #expect(history.map { $0["event"] as? String } == ["ADD", "UPDATE", "DELETE"])
        #expect(history.map { $0["version"] as? Int } == [1, 2, 3])
        #expect(history.map { $0["text"] as? String } == ["Acme prefers forklift operators with reach truck experience", "Acme wants OSHA-10 certified forklift operators", nil])
        #expect(history.allSatisfy { $0["at"] is String })
        let current = try #require(try await fleet.request(.matrixd, .GET, "/v1/memory?subject=client:acme").json?["memories"] as? [[String: Any]])
        #expect(current.map { $0["id"] as? String } == [other])
        #expect(try await fleet.request(.matrixd, .PUT, "/v1/memory/\(id)", body: #"{"text":"again"}"#).status == .conflict)
        _ = fleet.stop()
    }

    @Test func downPeersGive503NamingThemAndRetrieveRecovers() async throws {
        let fleet = try await Self.startFleet()
        defer { fleet.removeData() }
        _ = try await Self.seed(fleet, count: 300)
        let query = #"{"query":"forklift operator Toledo OH","k":5}"#
        #expect(try await Self.retrieve(fleet, query).status == 200)
        for daemon in [Daemon.vectord, .embedd] {
            fleet.process(daemon).killHard()
            let response = try await fleet.request(.matrixd, .POST, "/v1/retrieve", body: query)
            #expect(response.status.code == 503)
            let error = response.json?["error"] as? [String: Any]
            #expect(error?["code"] as? String == "unavailable")
            #expect((error?["message"] as? String)?.contains(daemon.rawValue) == true, "\(response.text)")
            let ready = try await fleet.request(.matrixd, .GET, "/readyz")
            #expect(ready.status.code == 503 && ready.text.contains(daemon.rawValue), "\(ready.text)")
            try fleet.restart(daemon)
            #expect(await fleet.waitUntilReady(daemon))
            let (status, _, hits) = try await Self.retrieve(fleet, query)
            #expect(status == 200 && !hits.isEmpty, "after \(daemon) came back")
        }
        #expect(await fleet.waitUntilReady(.matrixd))
        _ = fleet.stop()
    }

    @Test func concurrentPlaybooksAreEachStoredDurablyAndFailTogetherWhenVectordIsDown() async throws {
        let fleet = try await Self.startFleet()
        defer { fleet.removeData() }
        #expect(try await fleet.request(.matrixd, .PUT, "/v1/corpora/playbooks", body: Self.playbooksCorpus).status == .created)
        func playbook(_ run: Int) -> String {
            #"{"query":"Need welders in Toledo, OH","role":"welder","city":"Toledo","state":"OH","worker_ids":["W-\#(run)"],"outcome":"filled","run_id":"many-\#(run)"}"#
        }
        // 60 at once: they share upserts (PlaybookQueue); every one is acknowledged with its own id.
        let ids = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for run in 0..<60 {
                group.addTask {
                    let response = try await fleet.request(.matrixd, .POST, "/v1/playbooks", body: playbook(run), timeoutMs: 60_000)
                    return (response.status.code, response.json?["id"] as? String)
                }
            }
            var ids: [String] = []
            for try await (status, id) in group {
                #expect(status == 201)
                if let id { ids.append(id) }
            }
            return ids
        }
        #expect(Set(ids) == Set((0..<60).map { "PB-many-\($0)" }))
        // Acknowledged means durable: all of them survive a SIGKILL of vectord.
        fleet.process(.vectord).killHard()
        let down = try await fleet.request(.matrixd, .POST, "/v1/playbooks", body: playbook(99))
        #expect(down.status.code == 503 && down.text.contains("vectord"), "\(down.text)")
        try fleet.restart(.vectord)
        #expect(await fleet.waitUntilReady(.vectord))
        let stats = try await fleet.request(.vectord, .GET, "/v1/indexes/playbooks").json
        #expect(stats?["count"] as? Int == 60)
        // matrixd created the boost-only index with the cheaper build (Playbooks.efConstruction).
        #expect(stats?["ef_construction"] as? Int == 64)
        for run in [0, 17, 59] {
            let item = try await fleet.request(.vectord, .GET, "/v1/indexes/playbooks/items/PB-many-\(run)")
            #expect(item.status == .ok && ((item.json?["metadata"] as? [String: Any])?["worker_ids"] as? [String]) == ["W-\(run)"])
        }
        // And the queue works again once vectord is back.
        #expect(try await fleet.request(.matrixd, .POST, "/v1/playbooks", body: playbook(99)).status == .created)
        _ = fleet.stop()
    }

    /// A playbooks index created earlier at vectord's default ef_construction (an older data dir)
    /// is kept and used; an index of other dims is still a conflict.
    @Test func anEarlierPlaybooksIndexIsKeptAndOtherDimsConflict() async throws {
        let fleet = try await Self.startFleet()
        defer { fleet.removeData() }
        let probe = try await fleet.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["probe"]}"#).json
        let dims = (probe?["vectors"] as? [[Any]])?.first?.count ?? 0
        #expect(dims > 0)
        #expect(try await fleet.request(.vectord, .PUT, "/v1/indexes/playbooks", body: #"{"dims":\#(dims),"metric":"cosine"}"#).status == .created)
        #expect(try await fleet.request(.matrixd, .PUT, "/v1/corpora/playbooks", body: Self.playbooksCorpus).status == .created)
        let playbook = #"{"query":"Need welders in Toledo, OH","role":"welder","worker_ids":["W-1"],"outcome":"filled","run_id":"kept"}"#
        #expect(try await fleet.request(.matrixd, .POST, "/v1/playbooks", body: playbook).status == .created)
        let stats = try await fleet.request(.vectord, .GET, "/v1/indexes/playbooks").json
        #expect(stats?["ef_construction"] as? Int == 200 && stats?["count"] as? Int == 1)
        #expect(try await fleet.request(.vectord, .PUT, "/v1/indexes/narrow", body: #"{"dims":3,"metric":"cosine"}"#).status == .created)
        let conflict = try await fleet.request(.matrixd, .PUT, "/v1/corpora/narrow", body: #"{"index":"narrow","text_fields":["query"]}"#)
        #expect(conflict.status.code == 409 && conflict.text.contains("narrow"), "\(conflict.text)")
        _ = fleet.stop()
    }

    /// Two embedding models of the same size (a fake Ollama's and a fake OpenAI's, 8 dims each):
    /// once embedd serves the other model, matrixd refuses to mix their vectors in ingest, retrieve
    /// and PUT, naming both models and storing nothing; DELETE removes the corpus with its index,
    /// durably, and the corpus can then be built again with the new model.
    @Test func anotherEmbeddingModelIsRefusedUntilTheCorpusIsBuiltAgain() async throws {
        let fake = try FakeEmbeddingProvider()
        let fleet = try await Self.startFleet(["EMBEDD_PROVIDER": "ollama", "EMBEDD_BASE_URL": fake.baseURL,
                                               "EMBEDD_MODEL": "nomic-embed-text", "EMBEDD_API_KEY": "test-key"])
        defer { fleet.removeData() }
        #expect(try await fleet.request(.matrixd, .PUT, "/v1/corpora/workers", body: Self.workersCorpus).status == .created)
        let stored = try await fleet.request(.matrixd, .GET, "/v1/corpora/workers").json
        #expect(stored?["model"] as? String == "nomic-embed-text" && stored?["dims"] as? Int == FakeEmbeddingProvider.dims)
        let records = #"{"records":[{"id":"W-1","role":"welder","skills":["mig"],"city":"Toledo","state":"OH"},"# +
            #"{"id":"W-2","role":"welder","skills":["tig"],"city":"Dayton","state":"OH"}]}"#
        #expect(try await fleet.request(.matrixd, .POST, "/v1/corpora/workers/ingest", body: records).status == .ok)
        let retrieve = #"{"query":"welder in Toledo, OH","corpora":["workers"],"k":2,"query_role":"welder"}"#
        #expect(try await Self.retrieve(fleet, retrieve).hits.count == 2)

        // embedd restarts serving another model with as many dimensions.
        fleet.process(.embedd).killHard()
        try fleet.start([.embedd], environment: ["EMBEDD_PROVIDER": "openai", "EMBEDD_MODEL": "text-embedding-3-small"])
        #expect(await fleet.waitUntilReady(.embedd))
        func refusal(_ response: HTTPClientResponse) -> Bool {
            response.status.code == 409 && response.text.contains("nomic-embed-text") && response.text.contains("text-embedding-3-small")
                && response.text.contains("\"error\"")
        }
        let ingest = try await fleet.request(.matrixd, .POST, "/v1/corpora/workers/ingest",
                                             body: #"{"records":[{"id":"W-3","role":"welder","city":"Lima","state":"OH"}]}"#)
        #expect(refusal(ingest), "\(ingest.text)")
        #expect(try await fleet.request(.vectord, .GET, "/v1/indexes/workers").json?["count"] as? Int == 2)
        let search = try await fleet.request(.matrixd, .POST, "/v1/retrieve", body: retrieve)
        #expect(refusal(search) && search.text.contains("workers"), "\(search.text)")
        #expect(refusal(try await fleet.request(.matrixd, .PUT, "/v1/corpora/workers", body: Self.workersCorpus)))

        // DELETE: unknown names are 404; the corpus and its index go, and stay gone after kill -9.
        #expect(try await fleet.request(.matrixd, .DELETE, "/v1/corpora/nope").status == .notFound)
        let deleted = try await fleet.request(.matrixd, .DELETE, "/v1/corpora/workers")
        #expect(deleted.status == .ok && deleted.json?["deleted"] as? String == "workers" && deleted.json?["index"] as? String == "workers")
        #expect(try await fleet.request(.vectord, .GET, "/v1/indexes/workers").status == .notFound)
        fleet.process(.matrixd).killHard()
        try fleet.restart(.matrixd)
        #expect(await fleet.waitUntilReady(.matrixd))
        #expect(try await fleet.request(.matrixd, .GET, "/v1/corpora/workers").status == .notFound)
        #expect(try await fleet.request(.matrixd, .DELETE, "/v1/corpora/workers").status == .notFound)

        // Built again, with the new model.
        #expect(try await fleet.request(.matrixd, .PUT, "/v1/corpora/workers", body: Self.workersCorpus).status == .created)
        #expect(try await fleet.request(.matrixd, .GET, "/v1/corpora/workers").json?["model"] as? String == "text-embedding-3-small")
        #expect(try await fleet.request(.matrixd, .POST, "/v1/corpora/workers/ingest", body: records).status == .ok)
        #expect(try await Self.retrieve(fleet, retrieve).hits.count == 2)
        _ = fleet.stop()
        await fake.stop()
    }

    @Test func badInputGets4xxWithTheEnvelope() async throws {
        let fleet = try await Self.startFleet(["LAKEHOUSE_MAX_BODY": "65536"])
        defer { fleet.removeData() }
        #expect(try await fleet.request(.matrixd, .PUT, "/v1/corpora/workers", body: Self.workersCorpus).status == .created)
        #expect(try await fleet.request(.matrixd, .PUT, "/v1/corpora/orphan", body: #"{"index":"orphan","text_fields":["name"]}"#).status == .created)
        #expect(try await fleet.request(.vectord, .DELETE, "/v1/indexes/orphan").status == .ok)
        let cases: [(HTTPMethod, String, String?, Int)] = [
            (.PUT, "/v1/corpora/workers", #"{"index":"other","text_fields":["role"]}"#, 409),
            (.PUT, "/v1/corpora/Bad%20Name", #"{"index":"x","text_fields":["a"]}"#, 400),
            (.PUT, "/v1/corpora/x", #"{"index":"X!","text_fields":["a"]}"#, 400),
            (.PUT, "/v1/corpora/x", #"{"index":"x","text_fields":[]}"#, 400),
            (.PUT, "/v1/corpora/x", #"{"index":"x","text_fields":"role"}"#, 400),
            (.PUT, "/v1/corpora/x", #"{"text_fields":["a"]}"#, 400),
            (.PUT, "/v1/corpora/x", #"{"index":"x","text_fields":["a"],"rol_field":"r"}"#, 400),
            (.PUT, "/v1/corpora/x", "not json", 400),
            (.GET, "/v1/corpora/nope", nil, 404),
            (.POST, "/v1/corpora/nope/ingest", #"{"records":[]}"#, 404),
            (.POST, "/v1/corpora/orphan/ingest", #"{"records":[{"id":"a","name":"x"}]}"#, 404),
            (.POST, "/v1/corpora/workers/ingest", #"{"records":[{"role":"welder","city":"Toledo"}]}"#, 400),
            (.POST, "/v1/corpora/workers/ingest", #"{"records":[{"id":"","role":"welder"}]}"#, 400),
            (.POST, "/v1/corpora/workers/ingest", #"{"records":[{"id":7,"role":"welder"}]}"#, 400),
            (.POST, "/v1/corpora/workers/ingest", #"{"records":["W-1"]}"#, 400),
            (.POST, "/v1/corpora/workers/ingest", #"{"records":[[1,2]]}"#, 400),
            (.POST, "/v1/corpora/workers/ingest", #"{"records":[{"id":"W-1","city":"Toledo"}]}"#, 400),
            (.POST, "/v1/corpora/workers/ingest", #"{"records":[{"id":"W-1","role":"welder"}"#, 400),
            (.POST, "/v1/corpora/workers/ingest", #"{"record":[]}"#, 400),
            (.POST, "/v1/corpora/workers/ingest", #"[1]"#, 400),
            (.POST, "/v1/retrieve", #"{"query":""}"#, 400),
            (.POST, "/v1/retrieve", #"{"query":"   "}"#, 400),
            (.POST, "/v1/retrieve", #"{"k":3}"#, 400),
            (.POST, "/v1/retrieve", #"{"query":"welder","k":0}"#, 400),
            (.POST, "/v1/retrieve", #"{"query":"welder","k":100000}"#, 400),
            (.POST, "/v1/retrieve", #"{"query":"welder","k":"ten"}"#, 400),
            (.POST, "/v1/retrieve", #"{"query":"welder","corpora":["nope"]}"#, 404),
            (.POST, "/v1/retrieve", #"{"query":"welder","corpora":[]}"#, 400),
            (.POST, "/v1/retrieve", #"{"query":"welder","corpora":["orphan"]}"#, 404),
            (.POST, "/v1/retrieve", #"{"query":"welder","filters":{"state":{"a":1}}}"#, 400),
            (.POST, "/v1/retrieve", #"{"query":"welder","filters":"OH"}"#, 400),
            (.POST, "/v1/retrieve", "{", 400),
            (.POST, "/v1/retrieve", #"{"query":"\#(String(repeating: "x", count: 70_000))"}"#, 413),
            (.POST, "/v1/playbooks", #"{"query":"q","role":"astronaut","worker_ids":["W-1"],"outcome":"filled"}"#, 400),
            (.POST, "/v1/playbooks", #"{"query":"q","role":"welder","worker_ids":[],"outcome":"filled"}"#, 400),
            (.POST, "/v1/playbooks", #"{"query":"q","role":"welder","worker_ids":["W-1"],"outcome":"failed"}"#, 400),
            (.POST, "/v1/playbooks", #"{"query":"q","role":"welder"}"#, 400),
            (.POST, "/v1/extract-role", #"{"text":""}"#, 400),
            (.POST, "/v1/extract-role", #"{"txt":"welder"}"#, 400),
            (.POST, "/v1/understand", #"{"text":5}"#, 400),
            (.POST, "/v1/memory", #"{"subject":"s"}"#, 400),
            (.POST, "/v1/memory", #"{"subject":"","text":"t"}"#, 400),
            (.POST, "/v1/memory", #"{"subject":"s","text":"  "}"#, 400),
            (.PUT, "/v1/memory/mem-unknown", #"{"text":"t"}"#, 404),
            (.DELETE, "/v1/memory/mem-unknown", nil, 404),
            (.GET, "/v1/memory/mem-unknown", nil, 404),
            (.GET, "/v1/memory/mem-unknown/history", nil, 404),
            (.POST, "/v1/memory/search", #"{"query":""}"#, 400),
            (.POST, "/v1/memory/search", #"{"query":"x","k":0}"#, 400),
        ]
        for (method, path, body, status) in cases {
            let response = try await fleet.request(.matrixd, method, path, body: body)
            #expect(response.status.code == status, "\(method) \(path) \(body?.prefix(60) ?? "") → \(response.status.code) \(response.text.prefix(200))")
            let error = response.json?["error"] as? [String: Any]
            #expect(error?["code"] is String && error?["message"] is String, "\(response.text.prefix(160))")
        }
        // Nothing was lost or broken: the daemon still answers, and role extraction with chatd down says "none".
        let none = try #require(try await fleet.request(.matrixd, .POST, "/v1/extract-role", body: #"{"text":"we need some help on site"}"#).json)
        #expect(none["method"] as? String == "none" && (none["role"] == nil || none["role"] is NSNull) && none["confidence"] as? Double == 0)
        let understood = try #require(try await fleet.request(.matrixd, .POST, "/v1/understand", body: #"{"text":"Need 3 forklift operators in Toledo, OH for Monday 2nd shift"}"#).json)
        #expect(understood["count"] as? Int == 3 && understood["role"] as? String == "forklift operator" && understood["role_method"] as? String == "regex")
        #expect(understood["city"] as? String == "Toledo" && understood["state"] as? String == "OH" && understood["shift"] as? String == "2nd" && understood["day"] as? String == "mon")
        _ = fleet.stop()
    }

    @Test func corporaSurviveARestart() async throws {
        let fleet = try await Self.startFleet()
        defer { fleet.removeData() }
        #expect(try await fleet.request(.matrixd, .PUT, "/v1/corpora/workers", body: Self.workersCorpus).status == .created)
        fleet.process(.matrixd).killHard()
        try fleet.restart(.matrixd)
        #expect(await fleet.waitUntilReady(.matrixd))
        let list = try #require(try await fleet.request(.matrixd, .GET, "/v1/corpora").json?["corpora"] as? [[String: Any]])
        #expect(list.map { $0["name"] as? String } == ["workers"])
        #expect(list.first?["role_field"] as? String == "role" && list.first?["count"] as? Int == 0 && list.first?["dims"] as? Int == 384)
        _ = fleet.stop()
    }

    @Test func lakehouseSeedLoadsTheDemoDataOnceAndReportsAMissingTruthd() async throws {
        let fleet = try await Self.startFleet()
        defer { fleet.removeData() }
        func seed() throws -> (Int32, String) { try fleet.runCLI(["seed", "--count", "1200", "--data", fleet.dataDirectory]) }
        let (status, output) = try seed()
        #expect(status == 0, "\(output)")
        #expect(output.contains("gen: 1200 workers"), "\(output)")
        #expect(output.contains("ingest: 1200 records into corpus workers"), "\(output)")
        #expect(output.contains("truthd is not reachable"), "\(output)")
        #expect(FileManager.default.fileExists(atPath: fleet.dataDirectory + "/seed/claims.jsonl"))
        #expect(try await fleet.request(.matrixd, .GET, "/v1/corpora/workers").json?["count"] as? Int == 1200)
        let (again, secondOutput) = try seed()
        #expect(again == 0)
        #expect(secondOutput.contains("already holds 1200 records"), "\(secondOutput)")
        _ = fleet.stop()
    }
}
