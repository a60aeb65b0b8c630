import LakehouseKit

/// `correction`: fixes exactly what the violations name and keeps the rest of `previous`.
/// - a candidate that breaks a worker rule (`$.fill.candidates[i]…` or `$.candidates[i]…`) is
///   replaced by the next qualified worker not yet proposed;
/// - `name_mismatch` takes the roster's spelling;
/// - `count_mismatch` adds or removes candidates at the end;
/// - an e-mail rule, or any change to the candidates, rewrites the e-mail cleanly from them.
/// A previous draft that is not a readable `FillDraft` (raw text) is drafted afresh, without flaws.
enum DraftCorrector {
    /// Rules about one proposed worker that only another worker can fix.
    static let replaceRules: Set<String> = [
        "phantom_worker", "duplicate_worker", "role_mismatch", "geo_mismatch", "inactive_worker", "shift_unavailable",
        "certification_unverified",
    ]
    static let emailRules: Set<String> = ["salary_disclosure", "contact_leak", "ssn_pattern", "phantom_id", "name_consistency"]

    static func correct(_ context: FillDraftContext) -> FillDraft {
        let request = context.request
        let ranked = FillRules.ranked(context)
        guard let previousValue = context.previous, case .object = previousValue,
              let previous = try? JSONValueDecoder.decode(FillDraft.self, from: previousValue)
        else {
            return LocalDrafter.draft(Array(ranked.prefix(max(request.count, 0))), context: context)
        }
        let violations = context.violations ?? []
        let byID = LocalDrafter.byID(context.workers)
        var candidates = previous.fill.candidates
        var changed = false
        var rewriteEmail = false

        var replace: Set<Int> = []
        for violation in violations {
            if emailRules.contains(violation.rule) { rewriteEmail = true }
            guard let index = candidateIndex(violation.path), candidates.indices.contains(index) else { continue }
            if replaceRules.contains(violation.rule) {
                replace.insert(index)
            } else if violation.rule == "name_mismatch" {
                if let worker = byID[candidates[index].workerID] {
                    candidates[index].name = worker.name
                    changed = true
                } else {
                    replace.insert(index)
                }
            }
        }

        // Replacements come from qualified workers not already proposed (nor being replaced).
        var used = Set(candidates.map(\.workerID))
        var spares = ranked.filter { !used.contains($0.id) }.makeIterator()
        var dropped: Set<Int> = []
        for index in replace.sorted() {
            if let worker = spares.next() {
                candidates[index] = DraftWriter.candidate(worker, request: request)
                used.insert(worker.id)
            } else {
                dropped.insert(index)
            }
            changed = true
        }
        candidates = candidates.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)

        if violations.contains(where: { $0.rule == "count_mismatch" }) {
            if candidates.count > request.count {
                candidates = Array(candidates.prefix(max(request.count, 0)))
                changed = true
            }
            while candidates.count < request.count, let worker = spares.next() {
                if used.contains(worker.id) { continue }
                candidates.append(DraftWriter.candidate(worker, request: request))
                used.insert(worker.id)
                changed = true
            }
        }

        var draft = previous
        draft.fill.candidates = candidates
        if changed || rewriteEmail {
            draft.email = DraftWriter.email(for: candidates, request: request, workers: byID)
        }
        return draft
    }

    /// The `i` of `…candidates[i]…` in a violation's JSON path.
    static func candidateIndex(_ path: String) -> Int? {
        guard let open = path.range(of: "candidates[") else { return nil }
        let digits = path[open.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }
}
