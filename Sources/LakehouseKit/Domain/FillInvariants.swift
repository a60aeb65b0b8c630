import Foundation

/// The fill's guarantees written down as 22 invariants (issue 10), checked from outside: over a
/// fill answer, the roster, truthd's confirmations and the run's journal events. The acceptance
/// tests run them over committed fixtures and live fills; observerd's audit runs the same code.
///
/// The e-mail checks here are deliberately written independently of validatord's rules (simple
/// patterns, the roster records themselves), so that a bug in a validator is not hidden by the same
/// bug in its oracle.
public enum FillInvariants {
    /// Everything the checks need besides the answer.
    public struct Evidence: Sendable {
        /// Roster records by worker id (at least every worker the run proposed or retrieved).
        public var roster: [String: Worker]
        /// Certification confirmed by truthd, per worker id; nil when truthd could not be asked.
        public var confirmedCertifications: [String: Bool]?
        /// The run's journal events (every event whose trace id is the run id).
        public var events: [Event]
        /// `GET /v1/verify` said ok.
        public var chainVerified: Bool
        public var maxAttempts: Int
        public var radiusMiles: Double

        public init(roster: [String: Worker], confirmedCertifications: [String: Bool]?, events: [Event], chainVerified: Bool,
                    maxAttempts: Int, radiusMiles: Double = 50) {
            self.roster = roster
            self.confirmedCertifications = confirmedCertifications
            self.events = events
            self.chainVerified = chainVerified
            self.maxAttempts = maxAttempts
            self.radiusMiles = radiusMiles
        }
    }

    /// The part of a journal event the invariants read.
    public struct Event: Sendable, Hashable {
        public var type: String
        public var traceID: String
        public var payload: JSONValue

        public init(type: String, traceID: String, payload: JSONValue) {
            self.type = type
            self.traceID = traceID
            self.payload = payload
        }
    }

    public struct Result: Sendable, Hashable, Codable {
        public var id: Int
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    public static let names = [
        "ids_in_roster", "no_duplicates", "count", "role", "state", "radius", "active", "shift", "day", "roster_names",
        "certification_confirmed_or_warned", "no_ssn_shape", "no_pay", "no_contact", "every_candidate_named", "no_one_else_named",
        "no_foreign_ids", "every_attempt_journaled", "run_id_is_trace_id", "chain_verifies", "valid_iff_no_errors", "attempts_within_max",
    ]

    /// All 22 results, in order. Invariants 1–17 speak of a valid fill's content and pass as "not
    /// applicable" when the answer says `valid: false`; 18–22 hold for every answer.
    public static func check(_ answer: FillAnswer, _ evidence: Evidence) -> [Result] {
        var results: [Result] = []
        func add(_ passed: Bool, _ detail: @autoclosure () -> String) {
            let id = results.count + 1
            results.append(Result(id: id, name: names[id - 1], passed: passed, detail: passed ? "ok" : detail()))
        }
        let request = answer.request
        let candidates = answer.fill?.candidates ?? []
        let workers = candidates.compactMap { evidence.roster[$0.workerID] }
        let body = (answer.email?.subject ?? "") + "\n" + (answer.email?.body ?? "")
        let content = answer.valid

        if content {
            let phantoms = candidates.map(\.workerID).filter { evidence.roster[$0] == nil }
            add(phantoms.isEmpty, "not in the roster: \(phantoms)")
            add(Set(candidates.map(\.workerID)).count == candidates.count, "duplicate worker ids")
            add(candidates.count == request.count, "\(candidates.count) candidates for a request of \(request.count)")
            add(workers.allSatisfy { $0.role == request.role }, "role differs from \(request.role ?? "?")")
            add(request.state == nil || workers.allSatisfy { $0.state == request.state }, "state differs from \(request.state ?? "?")")
            let far = workers.filter { worker in
                guard let city = request.city, let state = request.state, let place = Gazetteer.city(named: city, state: state) else { return false }
                return Gazetteer.distanceMiles(lat1: place.lat, lon1: place.lon, lat2: worker.lat, lon2: worker.lon) > evidence.radiusMiles
            }
            add(far.isEmpty, "farther than \(evidence.radiusMiles) mi: \(far.map(\.id))")
            add(workers.allSatisfy(\.isActive), "inactive: \(workers.filter { !$0.isActive }.map(\.id))")
            add(request.shift == nil || workers.allSatisfy { $0.shifts.contains(request.shift!) }, "not on shift \(request.shift ?? "")")
            add(request.day == nil || workers.allSatisfy { $0.days.contains(request.day!) }, "not available on \(request.day ?? "")")
            add(candidates.allSatisfy { evidence.roster[$0.workerID]?.name == $0.name },
                "names differ from the roster: \(candidates.filter { evidence.roster[$0.workerID]?.name != $0.name }.map(\.workerID))")
            add(certificationsHold(request, workers, answer, evidence), "a needed certification is neither confirmed nor warned about")
            add(!containsSSNShape(body), "an SSN-shaped number in the e-mail")
            add(!containsPay(body), "pay is disclosed in the e-mail")
            add(!workers.contains { containsContact(of: $0, in: body) }, "a worker's phone or e-mail address is in the e-mail")
            add(workers.allSatisfy { body.contains($0.name) }, "not named in the e-mail: \(workers.filter { !body.contains($0.name) }.map(\.id))")
            let chosen = Set(candidates.map(\.workerID))
            let others = retrievedIDs(evidence.events).filter { !chosen.contains($0) }.compactMap { evidence.roster[$0] }
                .filter { other in body.contains(other.name) && !workers.contains { $0.name == other.name } }
            add(others.isEmpty, "other workers named in the e-mail: \(others.map(\.id))")
            let foreign = workerIDs(in: body).filter { !chosen.contains($0) }
            add(foreign.isEmpty, "ids outside the fill in the e-mail: \(foreign)")
        } else {
            for _ in 1...17 { add(true, "") }
            for index in 0..<17 { results[index].detail = "not applicable: the fill is not valid" }
        }

        let runEvents = evidence.events.filter { $0.traceID == answer.runID }
        let attemptEvents = runEvents.filter { $0.type == FillRunEventType.attempt }.count
        add(attemptEvents == answer.attempts.count, "\(attemptEvents) attempt events journaled for \(answer.attempts.count) attempts")
        add(runEvents.contains { $0.type == FillRunEventType.finished } && runEvents.count == evidence.events.count,
            "no fill.finished event under trace id \(answer.runID), or events of another trace mixed in")
        add(evidence.chainVerified, "the journal chain does not verify")
        let errors = answer.violations.contains { $0.severity == .error }
        add(answer.valid == !errors, "valid is \(answer.valid) but error violations are \(errors ? "present" : "absent")")
        add(!answer.attempts.isEmpty && answer.attempts.count <= evidence.maxAttempts, "\(answer.attempts.count) attempts, max \(evidence.maxAttempts)")
        return results
    }

    static func certificationsHold(_ request: FillRequestSpec, _ workers: [Worker], _ answer: FillAnswer, _ evidence: Evidence) -> Bool {
        guard let role = request.role, RoleVocabulary.certification(for: role) != nil else { return true }
        guard let confirmed = evidence.confirmedCertifications else {
            return answer.violations.contains { $0.rule == "certification_unverified" && $0.severity == .warning }
        }
        return workers.allSatisfy { confirmed[$0.id] == true }
    }

    /// Three digits, two, four (any separators of space, dot or dash, or none), not inside a longer number.
    static func containsSSNShape(_ text: String) -> Bool {
        text.range(of: #"(?<![0-9])[0-9]{3}[-. ]?[0-9]{2}[-. ]?[0-9]{4}(?![0-9])"#, options: .regularExpression) != nil
    }

    static func containsPay(_ text: String) -> Bool {
        text.range(of: #"\$\s?[0-9]"#, options: .regularExpression) != nil
            || text.range(of: #"(?i)\b(per hour|an hour|/\s?hr\b|/\s?hour|pay rate|hourly rate|wages?|salary|salaries)\b"#, options: .regularExpression) != nil
    }

    static func containsContact(of worker: Worker, in text: String) -> Bool {
        if text.lowercased().contains(worker.email.lowercased()) { return true }
        // Each run of digits joined by phone punctuation is one number; compare digits only.
        let phone = String(worker.phone.filter(\.isNumber).suffix(7))
        guard phone.count == 7, let runs = try? NSRegularExpression(pattern: #"[0-9][0-9().+ -]*[0-9]"#) else { return false }
        let range = NSRange(text.startIndex..., in: text)
        return runs.matches(in: text, range: range).contains { match in
            Range(match.range, in: text).map { String(text[$0].filter(\.isNumber)).contains(phone) } ?? false
        }
    }

    static func workerIDs(in text: String) -> [String] {
        guard let pattern = try? NSRegularExpression(pattern: #"W-[0-9]+"#) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
    }

    static func retrievedIDs(_ events: [Event]) -> [String] {
        events.filter { $0.type == FillRunEventType.retrieved }
            .flatMap { ($0.payload["workers"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue } }
    }
}
