import LakehouseKit

/// The rules that turn many sources' claims about one attribute into one fact (SPEC §6 truthd),
/// in order: source priority (`TRUTHD_SOURCE_PRIORITY`; a source not named ranks below every
/// named one), then recency (`observed_at`, later wins), then confidence (higher wins; a claim
/// without one counts as 1.0, taken at its word), then a deterministic tie-break that depends only
/// on the claims, never on their arrival: source name, then the value's JSON text, ascending, then
/// the later ingested.
struct Reconciler: Sendable {
    let ranks: [String: Int]
    let sourcePriority: [String]

    init(sourcePriority: [String]) {
        self.sourcePriority = sourcePriority
        ranks = Dictionary(uniqueKeysWithValues: sourcePriority.enumerated().map { ($1, $0) })
    }

    /// 1-based rank of a source; unnamed sources share the rank after the last named one.
    func rank(_ source: String) -> Int { (ranks[source] ?? sourcePriority.count) + 1 }

    enum Rule: String, Sendable { case priority, recency, confidence, tiebreak, single }

    /// Which of two claims wins, and the first rule that tells them apart.
    func compare(_ a: StoredClaim, _ b: StoredClaim) -> (aWins: Bool, rule: Rule) {
        let ra = rank(a.claim.source), rb = rank(b.claim.source)
        if ra != rb { return (ra < rb, .priority) }
        if a.observedAt != b.observedAt { return (a.observedAt > b.observedAt, .recency) }
        let ca = a.claim.confidence ?? 1, cb = b.claim.confidence ?? 1
        if ca != cb { return (ca > cb, .confidence) }
        if a.claim.source != b.claim.source { return (a.claim.source < b.claim.source, .tiebreak) }
        let va = Reconciler.text(a.claim.value), vb = Reconciler.text(b.claim.value)
        if va != vb { return (va < vb, .tiebreak) }
        return (a.seq > b.seq, .tiebreak)
    }

    static func text(_ value: JSONValue) -> String {
        var w = JSONWriter(capacity: 32)
        w.value(value)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The reconciled fact: the winner's value and source; `rule` is the rule by which the winner
    /// beat the strongest claim that disagrees with it (or the runner-up, when all agree; `single`
    /// for one claim); `conflict` is true when the sources' current claims (each source's
    /// winning claim) disagree; `claims` lists every claim, winner first, in rank order.
    func fact(_ claims: [StoredClaim]) -> ReconciledFact {
        let ordered = claims.sorted { compare($0, $1).aWins }
        let winner = ordered[0]
        let rule: Rule
        if ordered.count == 1 {
            rule = .single
        } else {
            let rival = ordered.first { $0.claim.value != winner.claim.value } ?? ordered[1]
            rule = compare(winner, rival).rule
        }
        var currentBySource: [String: JSONValue] = [:]
        for claim in ordered where currentBySource[claim.claim.source] == nil { currentBySource[claim.claim.source] = claim.claim.value }
        let conflict = Set(currentBySource.values).count > 1
        return ReconciledFact(value: winner.claim.value, source: winner.claim.source, rule: rule.rawValue, conflict: conflict,
                              claims: ordered.map(\.claim))
    }

    /// One elimination step of `explain`.
    struct Step: Sendable {
        let rule: Rule
        let detail: String
        let kept: [StoredClaim]
        let eliminated: [StoredClaim]
    }

    /// The decision step by step: each rule in order keeps only the claims best by it.
    func explain(_ claims: [StoredClaim]) -> [Step] {
        var remaining = claims
        var steps: [Step] = []
        func filter(_ rule: Rule, best: ([StoredClaim]) -> (keep: (StoredClaim) -> Bool, detail: String)) {
            guard remaining.count > 1 else { return }
            let (keep, detail) = best(remaining)
            let kept = remaining.filter(keep)
            let eliminated = remaining.filter { !keep($0) }
            steps.append(Step(rule: rule, detail: detail, kept: kept, eliminated: eliminated))
            remaining = kept
        }
        if claims.count == 1 {
            return [Step(rule: .single, detail: "one claim: \(claims[0].claim.source) says \(Reconciler.text(claims[0].claim.value))", kept: claims, eliminated: [])]
        }
        filter(.priority) { all in
            let best = all.map { rank($0.claim.source) }.min()!
            let sources = Set(all.map(\.claim.source)).sorted().map { "\($0) (rank \(rank($0)))" }.joined(separator: ", ")
            return ({ rank($0.claim.source) == best }, "source priority \(sourcePriority.joined(separator: " > ")) (unnamed sources rank \(sourcePriority.count + 1)); candidates: \(sources); best rank \(best)")
        }
        filter(.recency) { all in
            let latest = all.map(\.observedAt).max()!
            let when = all.first { $0.observedAt == latest }!.claim.observedAt
            return ({ $0.observedAt == latest }, "latest observed_at wins: \(when)")
        }
        filter(.confidence) { all in
            let best = all.map { $0.claim.confidence ?? 1 }.max()!
            return ({ ($0.claim.confidence ?? 1) == best }, "highest confidence wins (absent counts as 1.0): \(best)")
        }
        filter(.tiebreak) { all in
            let winner = all.sorted { compare($0, $1).aWins }[0]
            return ({ $0.seq == winner.seq }, "still tied: the deterministic tie-break takes the smallest source name, then the smallest value text, then the latest ingested")
        }
        return steps
    }
}
