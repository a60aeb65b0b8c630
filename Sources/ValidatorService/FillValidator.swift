import LakehouseKit

/// FillValidator (SPEC §6): checks a proposed fill against the roster and the request. Rules:
/// `phantom_worker`, `duplicate_worker`, `count_mismatch`, `role_mismatch`, `geo_mismatch`,
/// `inactive_worker`, `shift_unavailable`, `name_mismatch`, `certification_unverified`.
///
/// Everything but the certification check is answered from the roster here; candidates whose
/// certification truthd must confirm come back in `FillCheck.pending` for one batch call
/// (`certificationViolations` turns its answer into violations).
struct FillValidator: Sendable {
    let roster: CompactRoster
    let radiusMiles: Double

    struct Pending: Sendable, Equatable {
        let workerID: String
        let path: String
    }

    struct FillCheck: Sendable {
        var violations: [Violation] = []
        /// The certification the requested role needs, when truthd has workers to confirm.
        var certification: String?
        var role = ""
        var pending: [Pending] = []
    }

    func validate(_ fill: FillProposal, context: ValidationContext?, prefix: String = "$") -> FillCheck {
        var check = FillCheck()
        func add(_ rule: String, _ path: String, _ message: String) {
            check.violations.append(Violation(rule: rule, severity: .error, path: path, message: message))
        }
        let role = context?.role ?? fill.role
        let state = context?.state ?? fill.state
        let city = context?.city ?? fill.city
        let wanted = "\(Self.article(role)) \(role)"

        if let count = context?.count, count != fill.candidates.count {
            let change = count > fill.candidates.count ? "add \(count - fill.candidates.count) more active \(role)\(count - fill.candidates.count == 1 ? "" : "s")"
                : "remove \(fill.candidates.count - count)"
            add("count_mismatch", "\(prefix).candidates",
                "the fill proposes \(fill.candidates.count) worker\(fill.candidates.count == 1 ? "" : "s") but the request asks for \(count); propose exactly \(count) (\(change))")
        }
        if let requested = context?.role, fill.role != requested {
            add("role_mismatch", "\(prefix).role", "the fill's role is '\(fill.role)' but the request asks for '\(requested)'; set role to '\(requested)'")
        }
        if let requested = context?.state, fill.state.uppercased() != requested.uppercased() {
            add("geo_mismatch", "\(prefix).state", "the fill's state is '\(fill.state)' but the request is in '\(requested)'; set state to '\(requested)' and propose workers there")
        }
        if let requested = context?.city, fill.city.lowercased() != requested.lowercased() {
            add("geo_mismatch", "\(prefix).city", "the fill's city is '\(fill.city)' but the request is in '\(requested)'; set city to '\(requested)'")
        }
        let center = Gazetteer.city(named: city, state: state)
        let certification = RoleVocabulary.certification(for: role)
        if let certification { check.certification = certification }
        check.role = role

        var firstPosition: [String: Int] = [:]
        for (position, candidate) in fill.candidates.enumerated() {
            let base = "\(prefix).candidates[\(position)]"
            let idPath = "\(base).worker_id"
            let id = candidate.workerID
            if let first = firstPosition[id] {
                add("duplicate_worker", idPath, "\(id) is proposed more than once (also candidates[\(first)]); replace this one with a different \(role)")
                continue
            }
            firstPosition[id] = position
            guard let w = roster.index(ofID: id) else {
                add("phantom_worker", idPath, "\(id) is not in the roster; replace them with \(wanted) from the retrieved workers, copying the id exactly")
                continue
            }
            let rosterName = roster.name(w)
            if candidate.name != rosterName {
                add("name_mismatch", "\(base).name", "candidates[\(position)].name is '\(candidate.name)' but \(id) is '\(rosterName)' in the roster; copy the roster name exactly")
            }
            if !roster.isActive(w) {
                add("inactive_worker", idPath, "\(id) is \(roster.statusName(w)); replace them with an active \(role)")
            }
            let workerRole = roster.roleName(w)
            if workerRole != role {
                add("role_mismatch", idPath, "\(id) is \(Self.article(workerRole)) \(workerRole), not \(wanted); replace them with an active \(role)")
            }
            let workerState = roster.stateName(w)
            if workerState.uppercased() != state.uppercased() {
                add("geo_mismatch", idPath, "\(id) lives in \(roster.cityName(w)), \(workerState), outside the requested state \(state); replace them with \(wanted) in \(state)")
            } else if let center {
                let miles = Gazetteer.distanceMiles(lat1: center.lat, lon1: center.lon, lat2: Double(roster.lat[w]), lon2: Double(roster.lon[w]))
                if miles > radiusMiles {
                    add("geo_mismatch", idPath, "\(id) lives in \(roster.cityName(w)), \(workerState), \(Int(miles.rounded())) miles from \(center.name), \(center.state) (limit \(Self.miles(radiusMiles))); replace them with \(wanted) within \(Self.miles(radiusMiles)) miles of \(center.name)")
                }
            }
            if let shift = context?.shift, roster.works(w, shift: shift) != true {
                add("shift_unavailable", idPath, "\(id) does not work the \(shift) shift; replace them with \(wanted) who works the \(shift) shift")
            }
            if let day = context?.day, roster.works(w, day: day) != true {
                add("shift_unavailable", idPath, "\(id) does not work on \(day); replace them with \(wanted) available on \(day)")
            }
            if let certification {
                if roster.certifications(w).contains(certification) {
                    check.pending.append(Pending(workerID: id, path: idPath))
                } else {
                    add("certification_unverified", idPath, "\(id) holds no \(certification) certification, which \(wanted) needs; replace them with \(wanted) whose \(certification) certification is confirmed")
                }
            }
        }
        return check
    }

    /// The violations of the pending candidates once truthd has answered (or could not).
    static func certificationViolations(_ check: FillCheck, answer: CertificationAnswer) -> [Violation] {
        guard let certification = check.certification else { return [] }
        let wanted = "\(article(check.role)) \(check.role)"
        switch answer {
        case .confirmed(let confirmed):
            return check.pending.filter { !confirmed.contains($0.workerID) }.map {
                Violation(rule: "certification_unverified", severity: .error, path: $0.path,
                          message: "truthd does not confirm that \($0.workerID) holds the \(certification) certification \(wanted) needs; replace them with \(wanted) whose \(certification) certification is confirmed")
            }
        case .unreachable(let reason):
            return check.pending.map {
                Violation(rule: "certification_unverified", severity: .warning, path: $0.path,
                          message: "could not confirm \($0.workerID)'s \(certification) certification: truthd is unreachable (\(reason)); verify it before confirming the fill")
            }
        }
    }

    static func article(_ word: String) -> String {
        guard let first = word.first else { return "a" }
        return "aeiou".contains(first) ? "an" : "a"
    }

    static func miles(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
