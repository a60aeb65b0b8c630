import Foundation
import LakehouseKit

/// `POST /v1/retrieve`: one query over several corpora, with attribution.
///
/// Scores are comparable across corpora because every corpus is embedded by the same embedd model
/// into a cosine index: a hit's score is the cosine similarity of the query and the record's text
/// (−1…1), plus, for workers named in same-role playbooks, the bounded playbook boost. Per corpus
/// the k best hits are kept (k per corpus), then the corpora's lists are merged by score, each
/// list keeping its own order (so geography's ordering survives the merge).
///
/// - Role gate: on a role-tagged corpus, a hit whose role differs from the query's is dropped and
///   counted in `gate.dropped`; when that leaves fewer than k, the corpus is searched again with
///   the role as a filter, so k hits come back whenever k matching records exist.
/// - Geography: with a place (the request's `city`/`state`, or read from the query), hits in its
///   state come first, and among them those within `MATRIXD_RADIUS_MILES` of a city with known
///   coordinates; then the rest. A search restricted to that state (and nearby cities, and the
///   role) runs first and makes sure such hits are found; the plain search (the request's filters
///   only, then the gate) runs only when it found fewer than `k + playbookScan` within the radius.
/// - Playbook boost: a worker named by same-role playbooks (among the `playbookScan` nearest to
///   the query) gains `MATRIXD_PLAYBOOK_BOOST / 2` per playbook, at most `MATRIXD_PLAYBOOK_BOOST`.
///   Playbooks of other roles never boost anyone.
struct Retriever: Sendable {
    let catalog: CorpusCatalog
    let calls: PeerCalls
    let understanding: RequestUnderstanding
    let config: MatrixConfig
    /// Live item counts of the indexes searched, as vectord last reported them.
    let indexSizes = IndexSizes()

    static let defaultCorpora = ["workers", "playbooks"]
    static let playbookCorpus = "playbooks"
    /// Same-role playbooks consulted for the boost.
    static let playbookScan = 20
    static let maxQueryBytes = 8192

    func retrieve(_ request: RetrieveRequest, requestID: String?) async throws(MatrixError) -> RetrieveAnswer {
        let query = request.query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { throw .badRequest("query must not be empty") }
        guard query.utf8.count <= Retriever.maxQueryBytes else { throw .badRequest("query is longer than \(Retriever.maxQueryBytes) bytes") }
        let k = request.k ?? config.defaultK
        guard (1...config.maxK).contains(k) else { throw .badRequest("k must be between 1 and \(config.maxK) (MATRIXD_MAX_K); got \(k)") }
        let corpora = try resolveCorpora(request.corpora)
        let filters = request.filters ?? [:]
        try Retriever.validate(filters)

        let role: String?
        let roleMethod: String
        if let given = request.queryRole?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), !given.isEmpty {
            (role, roleMethod) = (given, "given")
        } else {
            let extraction = await understanding.extractRole(query, requestID: requestID)
            (role, roleMethod) = (extraction.role, extraction.method)
        }
        let place = place(request, query: query)

        let embedded = try await calls.embedRaw([query], requestID: requestID)
        guard let vector = embedded.vectors.first else { throw MatrixError(.badGateway, "embedd answered no vector") }
        let playbooks = role != nil && corpora.contains(where: { $0.name != Retriever.playbookCorpus }) ? catalog.corpus(named: Retriever.playbookCorpus) : nil
        for corpus in corpora { try corpus.requireModel(embedded.model) }
        try playbooks?.requireModel(embedded.model)

        let (perCorpus, boosts) = try await search(corpora, vector: vector, k: k, filters: filters, role: role, place: place,
                                                    playbooks: playbooks, requestID: requestID)

        var lists: [[RankedHit]] = []
        var dropped = 0
        for (corpus, entry) in zip(corpora, perCorpus) {
            var hits = entry.hits
            dropped += entry.dropped
            if corpus.name != Retriever.playbookCorpus, !boosts.isEmpty {
                for index in hits.indices { hits[index].hit.score += boosts[hits[index].hit.id] ?? 0 }
                hits.sort(by: RankedHit.before)
            }
            lists.append(Array(hits.prefix(k)))
        }
        return RetrieveAnswer(role: role, roleMethod: roleMethod, results: Retriever.merge(lists), dropped: dropped)
    }

    /// A `RetrieveResponse` before encoding: the hits keep their metadata as vectord's JSON text
    /// (`MatrixWire.encode` copies it through).
    struct RetrieveAnswer: Sendable {
        let role: String?
        let roleMethod: String
        let results: [RankedHit]
        let dropped: Int
    }

    /// A hit with its corpus and geography tier (0 within the radius, 1 otherwise).
    struct RankedHit: Sendable {
        let corpus: String
        var hit: IndexHit
        let tier: Int

        static func before(_ a: RankedHit, _ b: RankedHit) -> Bool {
            a.tier != b.tier ? a.tier < b.tier : (a.hit.score != b.hit.score ? a.hit.score > b.hit.score : a.hit.id < b.hit.id)
        }
    }

    func resolveCorpora(_ names: [String]?) throws(MatrixError) -> [Corpus] {
        guard let names else {
            let found = Retriever.defaultCorpora.compactMap(catalog.corpus(named:))
            guard !found.isEmpty else { throw .notFound("no corpora to search: create 'workers' or 'playbooks' (PUT /v1/corpora/{name}), or name corpora") }
            return found
        }
        guard !names.isEmpty, names.count <= 16 else { throw .badRequest("corpora must name 1 to 16 corpora") }
        var seen = Set<String>()
        var found: [Corpus] = []
        for name in names {
            guard let corpus = catalog.corpus(named: name) else { throw .notFound("unknown corpus '\(name)'") }
            if seen.insert(name).inserted { found.append(corpus) }
        }
        return found
    }

    static func validate(_ filters: [String: JSONValue]) throws(MatrixError) {
        guard filters.count <= 32 else { throw .badRequest("filters may have at most 32 keys") }
        for (key, value) in filters {
            guard !key.isEmpty else { throw .badRequest("filters: empty field name") }
            switch value {
            case .string, .number, .bool, .null: continue
            case .array(let values):
                guard !values.isEmpty, values.count <= 256, values.allSatisfy({ if case .array = $0 { false } else if case .object = $0 { false } else { true } }) else {
                    throw .badRequest("filters.\(key): a list must hold 1 to 256 scalar values")
                }
            case .object:
                throw .badRequest("filters.\(key): expected a value or a list of values, not an object")
            }
        }
    }

    /// Where the request wants workers: its state, and its city when the gazetteer knows it (the
    /// request's `city`/`state`, else read from the query).
    struct Place: Sendable {
        let state: String?
        let center: City?
    }

    func place(_ request: RetrieveRequest, query: String) -> Place? {
        var city = request.city
        var state = request.state?.uppercased()
        if city == nil && state == nil {
            let parsed = understanding.place(query)
            city = parsed.city
            state = parsed.state
        }
        var center: City?
        if let city {
            center = state.map { Gazetteer.city(named: city, state: $0) } ?? Gazetteer.cities.first { $0.name.lowercased() == city.lowercased() }
        }
        guard let state = state ?? center?.state else { return nil }
        return Place(state: state, center: center)
    }

    /// Every corpus's searches (`CorpusSearch`) and the boosting playbooks' search, sent together
    /// in rounds of one vectord request each: usually one round, a second when a corpus's place
    /// search came back short of the radius, rarely a third for the role-filtered search.
    func search(_ corpora: [Corpus], vector: [UInt8], k: Int, filters: [String: JSONValue], role: String?, place: Place?,
                playbooks: Corpus?, requestID: String?) async throws(MatrixError) -> (perCorpus: [(hits: [RankedHit], dropped: Int)], boosts: [String: Double]) {
        let nearCities = place.flatMap { place in place.center.map { nearbyCities(place.state ?? $0.state, center: $0) } }
        var searches = corpora.map { CorpusSearch(corpus: $0, k: k, filters: filters, role: role, place: place, nearCities: nearCities) }
        var boostSearch = playbooks.flatMap { playbooks in
            role.map { PeerCalls.IndexSearch(corpus: playbooks, k: Retriever.playbookScan, filter: [playbooks.roleField ?? "role": .string($0)]) }
        }
        var boosts: [String: Double] = [:]
        while true {
            var batch: [PeerCalls.IndexSearch] = []
            var owners: [(corpus: Int, step: CorpusSearch.Step)?] = []
            for (position, search) in searches.enumerated() {
                let index = search.corpus.index
                for step in search.pending(speculate: indexSizes.isSmall(index), speculateRole: indexSizes.mayNeedRoleSearch(index), tier: tier) {
                    batch.append(search.request(step))
                    owners.append((position, step))
                }
            }
            if let boost = boostSearch {
                batch.append(boost)
                owners.append(nil)
                boostSearch = nil
            }
            guard !batch.isEmpty else { break }
            let parts = try await calls.search(batch, vector: vector, requestID: requestID)
            for (position, part) in parts.enumerated() {
                if let count = part.count { indexSizes.note(batch[position].corpus.index, count: count) }
                if let owner = owners[position] {
                    searches[owner.corpus].receive(owner.step, part.hits)
                    if owner.step == .plain { indexSizes.notePlain(batch[position].corpus.index, filledPool: part.hits.count == batch[position].k) }
                } else if let playbooks, let role {
                    boosts = playbookBoosts(part.hits, field: playbooks.roleField ?? "role", role: role)
                }
            }
        }
        return (searches.map { $0.outcome(tier: tier) }, boosts)
    }

    /// Cities whose workers (jittered up to RosterGenerator.jitterMiles) can be within the radius.
    func nearbyCities(_ state: String, center: City) -> [String] {
        Gazetteer.cities.filter {
            $0.state == state && Gazetteer.distanceMiles(lat1: center.lat, lon1: center.lon, lat2: $0.lat, lon2: $0.lon) <= config.radiusMiles + RosterGenerator.jitterMiles + 1
        }.map(\.name)
    }

    /// Geography tier first, then score; the first `keep` (room for the playbook boost to reorder,
    /// never more than the pool).
    static func rank(_ hits: [IndexHit], corpus: String, place: Place?, keep: Int, tier: (IndexHit, Place) -> Int) -> [RankedHit] {
        var ranked = hits.map { hit in RankedHit(corpus: corpus, hit: hit, tier: place.map { tier(hit, $0) } ?? 0) }
        ranked.sort(by: RankedHit.before)
        return Array(ranked.prefix(keep))
    }

    /// 0: in the place's state and within the radius of its centre; 1: in the state; 2: within the
    /// radius across a state line; 3: elsewhere. Records without a state or coordinates rank as
    /// matching (playbooks, other corpora).
    func tier(_ hit: IndexHit, _ place: Place) -> Int {
        let sameState = hit.metadata["state"]?.stringValue.map { $0.uppercased() == place.state } ?? true
        let near = place.center.map { withinRadius(hit, of: $0) } ?? true
        return (sameState ? 0 : 2) + (near ? 0 : 1)
    }

    func withinRadius(_ hit: IndexHit, of center: City) -> Bool {
        guard let lat = hit.metadata["lat"]?.numberValue, let lon = hit.metadata["lon"]?.numberValue else { return true }
        return Gazetteer.distanceMiles(lat1: center.lat, lon1: center.lon, lat2: lat, lon2: lon) <= config.radiusMiles
    }

    /// Boost per worker id from the same-role playbooks nearest to the query.
    func playbookBoosts(_ hits: [IndexHit], field: String, role: String) -> [String: Double] {
        var named: [String: Int] = [:]
        for hit in hits where hit.metadata[field]?.stringValue?.lowercased() == role && hit.metadata["outcome"]?.stringValue == "filled" {
            for id in hit.metadata["worker_ids"]?.arrayValue ?? [] {
                if let id = id.stringValue { named[id, default: 0] += 1 }
            }
        }
        return named.mapValues { Retriever.boost(playbooks: $0, bound: config.playbookBoost) }
    }

    /// Half the bound per playbook naming the worker, never more than the bound.
    static func boost(playbooks: Int, bound: Double) -> Double {
        min(bound, bound / 2 * Double(playbooks))
    }

    /// Merges per-corpus lists by score, each list keeping its own order.
    static func merge(_ lists: [[RankedHit]]) -> [RankedHit] {
        var heads = Array(repeating: 0, count: lists.count)
        var merged: [RankedHit] = []
        merged.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        while true {
            var best: Int?
            for (list, head) in heads.enumerated() where head < lists[list].count {
                if best == nil || lists[list][head].hit.score > lists[best!][heads[best!]].hit.score { best = list }
            }
            guard let chosen = best else { return merged }
            merged.append(lists[chosen][heads[chosen]])
            heads[chosen] += 1
        }
    }
}
