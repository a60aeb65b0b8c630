import LakehouseKit

/// validatord's own counters in `/metrics`: validations by kind, violations by rule, iterate runs
/// by outcome and their attempts.
struct ValidatorMetrics: Sendable {
    static let rules = ["phantom_worker", "duplicate_worker", "count_mismatch", "role_mismatch", "geo_mismatch", "inactive_worker",
                        "shift_unavailable", "name_mismatch", "certification_unverified", "ssn_pattern", "salary_disclosure",
                        "name_consistency", "phantom_id", "contact_leak", "unparseable_draft"]

    let fillValidations: Counter
    let emailValidations: Counter
    let violations: [String: Counter]
    let validRuns: Counter
    let invalidRuns: Counter
    let attempts: Counter

    init(_ registry: MetricsRegistry) {
        let validations = "validatord_validations_total", runs = "validatord_iterate_runs_total"
        fillValidations = registry.counter(validations, help: "POST /v1/validate calls answered, by kind.", labels: [("kind", "fill")])
        emailValidations = registry.counter(validations, help: "POST /v1/validate calls answered, by kind.", labels: [("kind", "email")])
        var violations: [String: Counter] = [:]
        for rule in Self.rules {
            violations[rule] = registry.counter("validatord_violations_total", help: "Violations found (validate and iterate), by rule.", labels: [("rule", rule)])
        }
        self.violations = violations
        validRuns = registry.counter(runs, help: "Iterate runs, by whether the final draft was valid.", labels: [("valid", "true")])
        invalidRuns = registry.counter(runs, help: "Iterate runs, by whether the final draft was valid.", labels: [("valid", "false")])
        attempts = registry.counter("validatord_iterate_attempts_total", help: "Drafts asked of chatd by iterate runs.")
    }

    func count(_ found: [Violation]) {
        for violation in found { violations[violation.rule]?.increment() }
    }

    func count(_ run: IterateResponse) {
        (run.valid ? validRuns : invalidRuns).increment()
        attempts.increment(by: run.attempts.count)
        for attempt in run.attempts { count(attempt.violations) }
    }
}
