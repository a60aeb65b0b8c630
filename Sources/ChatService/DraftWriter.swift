import LakehouseKit

/// Writes the parts of a fill draft in words: each candidate's reason and the client e-mail. The
/// e-mail names every candidate (full name and W- id) and nobody else, and carries no pay, phone
/// number, e-mail address, or digits other than the count and the W- ids, so nothing in it can
/// look like a social security number.
enum DraftWriter {
    static let shiftWords = ["1st": "first", "2nd": "second", "3rd": "third"]
    static let dayWords = ["mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday"]

    /// A short factual phrase: role, place, shift, a few skills. Never pay or contact details.
    static func reason(for worker: Worker, request: FillRequestSpec) -> String {
        var parts = ["\(worker.role) in \(worker.city), \(worker.state)"]
        if let shift = request.shift { parts.append("works \(shift) shift") }
        if let day = request.day, let word = dayWords[day] { parts.append("available \(word)") }
        if let certification = RoleVocabulary.certification(for: worker.role), worker.certifications.contains(certification) {
            parts.append("holds \(certification)")
        }
        let skills = worker.skills.prefix(3)
        if !skills.isEmpty { parts.append("skills: \(skills.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }

    static func candidate(_ worker: Worker, request: FillRequestSpec) -> FillCandidate {
        FillCandidate(workerID: worker.id, name: worker.name, reason: reason(for: worker, request: request))
    }

    /// The client e-mail presenting `candidates`; `workers` supplies roles and skills by id.
    static func email(for candidates: [FillCandidate], request: FillRequestSpec, workers: [String: Worker]) -> ClientEmail {
        let role = request.role ?? candidates.first.flatMap { workers[$0.workerID]?.role } ?? "worker"
        let place = [request.city, request.state].compactMap { $0 }.joined(separator: ", ")
        var ask = "\(request.count) \(role)\(request.count == 1 ? "" : "s")"
        if !place.isEmpty { ask += " in \(place)" }
        if let shift = request.shift { ask += " on the \(shiftWords[shift] ?? "requested") shift" }
        if let day = request.day, let word = dayWords[day] { ask += " for \(word)" }
        var lines = ["Hello,", "", "Thank you for your request for \(ask). We propose the following candidates:", ""]
        for candidate in candidates {
            var line = "- \(candidate.name) (\(candidate.workerID))"
            if let worker = workers[candidate.workerID] {
                let skills = worker.skills.filter { skill in !skill.contains(where: \.isNumber) }.prefix(3)
                line += ": \(worker.role)"
                if !skills.isEmpty { line += ", skilled in \(skills.joined(separator: ", "))" }
            }
            lines.append(line)
        }
        lines += ["", "Each candidate is active and available for the requested schedule. Please reply to confirm and we will arrange the start.",
                  "", "Kind regards,", "Lakehouse Staffing"]
        let subject = place.isEmpty ? "Proposed candidates: \(role)" : "Proposed candidates: \(role), \(place)"
        return ClientEmail(subject: subject, body: lines.joined(separator: "\n"))
    }
}
