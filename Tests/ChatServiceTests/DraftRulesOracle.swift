import Foundation
import LakehouseKit

/// The validation rules of SPEC §6 (FillValidator and EmailValidator), written again here,
/// independently of the drafter's own `FillRules`, as the oracle the drafter's answers are checked
/// against. It reports rules by their validator names with validatord-style paths, so a test can
/// feed its findings back to the drafter as a correction.
enum DraftRulesOracle {
    static let radiusMiles = 50.0

    static func violations(_ draft: FillDraft, context: FillDraftContext) -> [Violation] {
        fillViolations(draft.fill, context: context) + emailViolations(draft.email, fill: draft.fill, context: context)
    }

    static func fillViolations(_ fill: FillProposal, context: FillDraftContext) -> [Violation] {
        let request = context.request
        var roster: [String: Worker] = [:]
        for worker in context.workers where roster[worker.id] == nil { roster[worker.id] = worker }
        var found: [Violation] = []
        func add(_ rule: String, _ path: String) { found.append(Violation(rule: rule, severity: .error, path: path, message: rule)) }
        if fill.candidates.count != request.count { add("count_mismatch", "$.fill.candidates") }
        var seen: Set<String> = []
        for (index, candidate) in fill.candidates.enumerated() {
            let path = "$.fill.candidates[\(index)]"
            guard let worker = roster[candidate.workerID] else {
                add("phantom_worker", path + ".worker_id")
                continue
            }
            if !seen.insert(worker.id).inserted { add("duplicate_worker", path + ".worker_id") }
            if candidate.name != worker.name { add("name_mismatch", path + ".name") }
            if worker.status != "active" { add("inactive_worker", path + ".worker_id") }
            if let role = request.role, worker.role != role { add("role_mismatch", path + ".worker_id") }
            if let state = request.state {
                var far = worker.state != state
                if !far, let cityName = request.city, let city = Gazetteer.city(named: cityName, state: state) {
                    far = Gazetteer.distanceMiles(lat1: worker.lat, lon1: worker.lon, lat2: city.lat, lon2: city.lon) > radiusMiles
                }
                if far { add("geo_mismatch", path + ".worker_id") }
            }
            if let shift = request.shift, !worker.shifts.contains(shift) { add("shift_unavailable", path + ".worker_id") }
            if let day = request.day, !worker.days.contains(day) { add("shift_unavailable", path + ".worker_id") }
            if let certification = RoleVocabulary.certification(for: worker.role), !worker.certifications.contains(certification) {
                add("certification_unverified", path + ".worker_id")
            }
        }
        return found
    }

    static func emailViolations(_ email: ClientEmail, fill: FillProposal, context: FillDraftContext) -> [Violation] {
        let text = email.subject + "\n" + email.body
        var found: [Violation] = []
        func add(_ rule: String) { found.append(Violation(rule: rule, severity: .error, path: "$.email.body", message: rule)) }
        if text.range(of: #"\d{3}-\d{2}-\d{4}"#, options: .regularExpression) != nil { add("ssn_pattern") }
        let lower = text.lowercased()
        let payWords = lower.range(of: #"\b(pay|paid|rate|rates|wage|wages|salary|hourly)\b"#, options: .regularExpression) != nil
        if text.contains("$") || lower.contains("/hr") || payWords
            || context.workers.contains(where: { text.contains(String(format: "%.2f", $0.payRate)) }) {
            add("salary_disclosure")
        }
        if text.contains("@") || context.workers.contains(where: { text.contains($0.phone) || text.contains($0.email) }) { add("contact_leak") }
        let proposed = Set(fill.candidates.map(\.workerID))
        let named = fill.candidates.allSatisfy { text.contains($0.name) }
        let others = context.workers.contains { !proposed.contains($0.id) && text.contains($0.name) }
        if !named || others { add("name_consistency") }
        let ids = text.matches(of: #/W-\d+/#).map { String($0.output) }
        if ids.contains(where: { !proposed.contains($0) }) { add("phantom_id") }
        return found
    }
}
