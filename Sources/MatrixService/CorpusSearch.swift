import LakehouseKit

/// One corpus's part of a retrieve, as the searches it needs in turn (see `Retriever`): the
/// place's search (its state, the cities near its centre, the role), then — unless that already
/// holds `keep` hits within the radius — the plain search (the request's filters, then the role
/// gate), then — when the gate dropped hits from a full pool and the place's search found fewer
/// than k — a role-filtered search. `Retriever` sends the steps of every corpus together, one
/// vectord request per round.
struct CorpusSearch: Sendable {
    enum Step: Sendable { case near, plain, roleFiltered }

    let corpus: Corpus
    let k: Int
    /// Hits asked of vectord per search.
    let pool: Int
    /// Hits kept after ranking: room for the playbook boost to reorder, never more than the pool.
    let keep: Int
    let filters: [String: JSONValue]
    let gateField: String?
    let role: String?
    let nearFilter: [String: JSONValue]?
    let place: Retriever.Place?

    private(set) var near: [IndexHit]?
    private(set) var plain: [IndexHit]?
    private(set) var roleExtra: [IndexHit]?

    init(corpus: Corpus, k: Int, filters: [String: JSONValue], role: String?, place: Retriever.Place?, nearCities: [String]?) {
        self.corpus = corpus
        self.k = k
        pool = min(1000, max(k * 3, k + 10))
        keep = max(k, min(pool, k + Retriever.playbookScan))
        self.filters = filters
        self.role = role
        self.place = place
        gateField = role != nil ? corpus.roleField : nil
        var near: [String: JSONValue]?
        if let place, let state = place.state {
            var restricted = CorpusSearch.withRole(filters, gateField: gateField, role: role)
            if filters["state"] == nil { restricted["state"] = .string(state) }
            if let nearCities, !nearCities.isEmpty, filters["city"] == nil { restricted["city"] = .array(nearCities.map { .string($0) }) }
            if restricted != filters { near = restricted }
        }
        nearFilter = near
    }

    /// The request's filters plus the role (the gate's field), for the role-filtered search.
    var roleFilter: [String: JSONValue] { CorpusSearch.withRole(filters, gateField: gateField, role: role) }

    /// `filters` plus the role on the gate's field, unless the filters name that field already.
    static func withRole(_ filters: [String: JSONValue], gateField: String?, role: String?) -> [String: JSONValue] {
        var filter = filters
        if let gateField, let role, filters[gateField] == nil { filter[gateField] = .string(role) }
        return filter
    }

    /// The searches this corpus needs next. `speculate` sends the plain search with the place's,
    /// `speculateRole` the role-filtered one with the plain, when the index is small enough that a
    /// possibly wasted search costs less than another round (`outcome` ignores what turns out not
    /// to be needed).
    func pending(speculate: Bool, speculateRole: Bool = false, tier: (IndexHit, Retriever.Place) -> Int) -> [Step] {
        let roleToo = speculate && speculateRole && roleExtra == nil && (gateField.map { filters[$0] == nil } ?? false)
        if nearFilter != nil && near == nil {
            return speculate ? (roleToo ? [.near, .plain, .roleFiltered] : [.near, .plain]) : [.near]
        }
        if nearSuffices(tier: tier) { return [] }
        if plain == nil { return roleToo ? [.plain, .roleFiltered] : [.plain] }
        return roleExtra == nil && roleSearchNeeded ? [.roleFiltered] : []
    }

    /// The gate dropped hits from a full pool and the place's search found fewer than k: the
    /// role-filtered search can add hits. (The place's search already holds the k best same-state
    /// hits of the role, which rank ahead of anything it could add; a search that came back short
    /// of the pool saw every match already.)
    var roleSearchNeeded: Bool {
        guard let plain, let gateField, let role else { return false }
        return plain.count == pool && (near?.count ?? 0) < k && plain.contains { !CorpusSearch.hasRole($0, gateField, role) }
    }

    func request(_ step: Step) -> PeerCalls.IndexSearch {
        switch step {
        case .near: PeerCalls.IndexSearch(corpus: corpus, k: pool, filter: nearFilter ?? filters)
        case .plain: PeerCalls.IndexSearch(corpus: corpus, k: pool, filter: filters)
        case .roleFiltered: PeerCalls.IndexSearch(corpus: corpus, k: pool, filter: roleFilter)
        }
    }

    mutating func receive(_ step: Step, _ hits: [IndexHit]) {
        switch step {
        case .near: near = hits
        case .plain: plain = hits
        case .roleFiltered: roleExtra = hits
        }
    }

    /// Hits within the radius in the place's state rank ahead of everything else, and the place's
    /// search sees every city they can lie in: when it already holds `keep` of them, the plain
    /// search could only add hits ranked after those (and on a large corpus it is the expensive
    /// one, an exact scan of the whole state in vectord).
    func nearSuffices(tier: (IndexHit, Retriever.Place) -> Int) -> Bool {
        guard let near, let place else { return false }
        return near.count(where: { tier($0, place) == 0 }) >= keep
    }

    /// The ranked hits (geography tier, then score) and how many the role gate dropped.
    func outcome(tier: @escaping (IndexHit, Retriever.Place) -> Int) -> (hits: [Retriever.RankedHit], dropped: Int) {
        if nearSuffices(tier: tier), let near {
            return (Retriever.rank(near, corpus: corpus.name, place: place, keep: keep, tier: tier), 0)
        }
        var hits = plain ?? []
        var dropped = 0
        if let gateField, let role {
            let before = hits.count
            hits.removeAll { !CorpusSearch.hasRole($0, gateField, role) }
            dropped = before - hits.count
        }
        var seen = Set(hits.map(\.id))
        for extra in (roleSearchNeeded ? roleExtra ?? [] : []) + (near ?? []) where seen.insert(extra.id).inserted {
            hits.append(extra)
        }
        return (Retriever.rank(hits, corpus: corpus.name, place: place, keep: keep, tier: tier), dropped)
    }

    static func hasRole(_ hit: IndexHit, _ field: String, _ role: String) -> Bool {
        hit.metadata[field]?.stringValue?.lowercased() == role
    }
}
