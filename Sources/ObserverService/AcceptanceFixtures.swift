import LakehouseKit

/// The committed fixtures audit phase 6 runs the 22 fill invariants over (compiled in: observerd
/// needs them at run time). Three answers the invariants must accept — a first-draft fill, a
/// corrected one, an honest `valid: false` — and one canary that must be caught: an answer that
/// claims to be valid while its e-mail leaks an SSN-shaped number and a worker's phone.
enum AcceptanceFixtures {
    struct Case: Sendable {
        let name: String
        let answer: FillAnswer
        let evidence: FillInvariants.Evidence
        /// Invariant names that must fail (empty: all 22 must pass).
        let mustFail: Set<String>
    }

    static let weekdays = ["mon", "tue", "wed", "thu", "fri"]

    static func worker(_ id: String, _ name: String, status: String = "active") -> Worker {
        Worker(id: id, name: name, role: "forklift operator", skills: ["reach truck"], certifications: ["forklift"], city: "Toledo", state: "OH",
               lat: 41.66, lon: -83.55, shifts: ["1st", "2nd"], days: weekdays, payRate: 18.5, status: status,
               phone: "+1-419-555-01\(id.suffix(2))", email: "\(name.lowercased().replacingOccurrences(of: " ", with: "."))@example.com")
    }

    static let roster: [String: Worker] = Dictionary(uniqueKeysWithValues: [
        worker("W-900001", "Maria Lopez"), worker("W-900002", "James Smith"), worker("W-900003", "Aisha Khan"),
        worker("W-900004", "Diego Garcia", status: "inactive"),
    ].map { ($0.id, $0) })

    static let request = FillRequestSpec(query: "Need 2 forklift operators in Toledo, OH for Monday 2nd shift", count: 2, role: "forklift operator",
                                         city: "Toledo", state: "OH", shift: "2nd", day: "mon")

    static let fill = FillProposal(role: "forklift operator", city: "Toledo", state: "OH", candidates: [
        FillCandidate(workerID: "W-900001", name: "Maria Lopez", reason: "active forklift operator in Toledo on 2nd shift"),
        FillCandidate(workerID: "W-900002", name: "James Smith", reason: "active forklift operator in Toledo on 2nd shift"),
    ])

    static let email = ClientEmail(subject: "2 forklift operators for Toledo, OH",
                                   body: "Hello,\n\nFor Monday's 2nd shift we propose Maria Lopez (W-900001) and James Smith (W-900002).\n\nBest regards,\nLakehouse Staffing")

    static func attempt(_ number: Int, valid: Bool, rules: [String] = []) -> IterateAttempt {
        let draft = (try? JSONValue(encoding: FillDraft(fill: fill, email: email))) ?? .null
        return IterateAttempt(attempt: number, output: draft, violations: rules.map { Violation(rule: $0, severity: .error, path: "$.fill", message: "\($0) in this draft") },
                              valid: valid, provider: "local", model: "local-drafter", latencyMs: 0.4)
    }

    static func events(_ runID: String, _ answer: FillAnswer) -> [FillInvariants.Event] {
        let retrieved: JSONValue = ["workers": .array(["W-900001", "W-900002", "W-900003"].map { ["id": .string($0), "score": 0.9] }),
                                    "playbook_worker_ids": [], "gate_dropped": 0]
        var events = [FillInvariants.Event(type: FillRunEventType.requested, traceID: runID, payload: ["request": (try? JSONValue(encoding: request)) ?? .null]),
                      FillInvariants.Event(type: FillRunEventType.retrieved, traceID: runID, payload: retrieved)]
        for attempt in answer.attempts {
            events.append(FillInvariants.Event(type: FillRunEventType.attempt, traceID: runID, payload: (try? JSONValue(encoding: attempt)) ?? .null))
        }
        events.append(FillInvariants.Event(type: FillRunEventType.finished, traceID: runID, payload: ["valid": .bool(answer.valid)]))
        return events
    }

    static func make(_ name: String, _ answer: FillAnswer, mustFail: Set<String> = []) -> Case {
        Case(name: name, answer: answer,
             evidence: FillInvariants.Evidence(roster: roster, confirmedCertifications: ["W-900001": true, "W-900002": true, "W-900003": true],
                                               events: events(answer.runID, answer), chainVerified: true, maxAttempts: 3),
             mustFail: mustFail)
    }

    static let cases: [Case] = {
        let accepted = FillAnswer(runID: "fixture-accepted", request: request, fill: fill, email: email, valid: true, attempts: [attempt(1, valid: true)],
                                  violations: [], corrected: [], timingsMs: ["total": 3])
        let corrected = FillAnswer(runID: "fixture-corrected", request: request, fill: fill, email: email, valid: true,
                                   attempts: [attempt(1, valid: false, rules: ["role_mismatch"]), attempt(2, valid: true)],
                                   violations: [], corrected: ["role_mismatch"], timingsMs: ["total": 5])
        let failedAttempts = (1...3).map { attempt($0, valid: false, rules: ["count_mismatch"]) }
        let rejected = FillAnswer(runID: "fixture-rejected", request: request, fill: fill, email: email, valid: false, attempts: failedAttempts,
                                  violations: failedAttempts[2].violations, corrected: [], timingsMs: ["total": 7])
        let leaky = ClientEmail(subject: email.subject, body: email.body + "\nRef 123-45-6789; call Maria at +1-419-555-0101.")
        let canary = FillAnswer(runID: "fixture-canary", request: request, fill: fill, email: leaky, valid: true, attempts: [attempt(1, valid: true)],
                                violations: [], corrected: [], timingsMs: ["total": 3])
        return [make("accepted", accepted), make("corrected", corrected), make("rejected", rejected),
                make("canary_leaky_email", canary, mustFail: ["no_ssn_shape", "no_contact"])]
    }()

    /// Runs every case; returns the problems (empty when every case behaves as it must).
    static func check() -> (checked: Int, problems: [String]) {
        var problems: [String] = []
        var checked = 0
        for fixture in cases {
            let results = FillInvariants.check(fixture.answer, fixture.evidence)
            checked += results.count
            if results.count != 22 { problems.append("\(fixture.name): \(results.count) invariants, expected 22") }
            for result in results {
                let expectedToFail = fixture.mustFail.contains(result.name)
                if result.passed == expectedToFail {
                    problems.append("\(fixture.name): invariant \(result.id) \(result.name) \(result.passed ? "passed but must fail" : "failed: \(result.detail)")")
                }
            }
        }
        return (checked, problems)
    }
}
