import LakehouseKit
import Testing
@testable import ValidatorService

/// One table per rule: drafts that must trip it, near-misses that must not.
@Suite struct FillValidatorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let candidates: [FillCandidate]
        var fillRole = "forklift operator"
        var fillCity = "Toledo"
        var fillState = "OH"
        var context: ValidationContext? = ValidationContext(request: Fixture.request)
        var truth: CertificationAnswer = .confirmed(Set(Fixture.workers.map(\.id)))
        var testDescription: String { label }

        var fill: FillProposal { FillProposal(role: fillRole, city: fillCity, state: fillState, candidates: candidates) }
    }

    static func ids(_ numbers: Int...) -> [FillCandidate] { numbers.map(Fixture.candidate) }
    static func id(_ id: String, name: String = "Maria Lopez") -> FillCandidate { FillCandidate(workerID: id, name: name, reason: "r") }
    static func context(_ change: (inout FillRequestSpec) -> Void) -> ValidationContext {
        var request = Fixture.request
        change(&request)
        return ValidationContext(request: request)
    }

    func violations(_ c: Case) async throws -> [Violation] {
        let validator = DraftValidator(roster: try Fixture.holder(), certifications: FakeCertifications(answer: c.truth), radiusMiles: 50)
        let roster = try validator.roster.snapshot()
        return await validator.finish(validator.checkFill(c.fill, context: c.context, roster: roster), requestID: nil)
    }

    func expect(_ rule: String, trips cases: [Case], spares nearMisses: [Case]) async throws {
        #expect(cases.count >= 3 && nearMisses.count >= 3)
        for c in cases {
            let found = try await violations(c)
            #expect(rules(found).contains(rule), "\(rule) must trip on: \(c.label); got \(rules(found))")
            for v in found where v.rule == rule {
                #expect(v.path.hasPrefix("$."), "\(v.path)")
                #expect(!v.message.isEmpty)
            }
        }
        for c in nearMisses {
            let found = try await violations(c)
            #expect(!rules(found).contains(rule), "\(rule) must not trip on: \(c.label); got \(found.filter { $0.rule == rule }.map(\.message))")
        }
    }

    /// The first violation of `rule` for a fill of these candidates.
    func first(_ rule: String, _ candidates: [FillCandidate]) async throws -> Violation? {
        try await violations(Case(label: "", candidates: candidates)).first { $0.rule == rule }
    }

    @Test func theBaselineFillIsValid() async throws {
        let found = try await violations(Case(label: "baseline", candidates: Self.ids(1, 2, 3)))
        #expect(found.isEmpty, "\(found)")
    }

    @Test func phantomWorker() async throws {
        try await expect("phantom_worker", trips: [
            Case(label: "unknown id", candidates: Self.ids(1, 2) + [Self.id("W-999999")]),
            Case(label: "id without zero padding", candidates: Self.ids(2, 3) + [Self.id("W-1")]),
            Case(label: "lower-case id", candidates: Self.ids(2, 3) + [Self.id("w-000001")]),
            Case(label: "empty id", candidates: Self.ids(2, 3) + [Self.id("")]),
        ], spares: [
            Case(label: "roster ids", candidates: Self.ids(1, 2, 3)),
            Case(label: "inactive but real", candidates: Self.ids(1, 2, 4)),
            Case(label: "real worker of another role", candidates: Self.ids(1, 2, 5)),
        ])
        let phantom = try #require(try await first("phantom_worker", Self.ids(1, 2) + [Self.id("W-999999")]))
        #expect(phantom.path == "$.candidates[2].worker_id")
        #expect(phantom.message.contains("W-999999 is not in the roster"))
    }

    @Test func duplicateWorker() async throws {
        try await expect("duplicate_worker", trips: [
            Case(label: "first repeated last", candidates: Self.ids(1, 2, 1)),
            Case(label: "adjacent repeat", candidates: Self.ids(1, 1, 2)),
            Case(label: "all the same", candidates: Self.ids(3, 3, 3)),
        ], spares: [
            Case(label: "three different", candidates: Self.ids(1, 2, 3)),
            Case(label: "different ids, different reasons", candidates: [Fixture.candidate(1), Fixture.candidate(12), FillCandidate(workerID: "W-000002", name: "James Carter", reason: "other")]),
            Case(label: "one candidate", candidates: Self.ids(1), context: Self.context { $0.count = 1 }),
        ])
        let found = try await violations(Case(label: "", candidates: Self.ids(1, 2, 1)))
        #expect(found.filter { $0.rule == "duplicate_worker" }.map(\.path) == ["$.candidates[2].worker_id"])
    }

    @Test func countMismatch() async throws {
        try await expect("count_mismatch", trips: [
            Case(label: "two of three", candidates: Self.ids(1, 2)),
            Case(label: "four of three", candidates: Self.ids(1, 2, 3, 12)),
            Case(label: "none", candidates: []),
        ], spares: [
            Case(label: "three of three", candidates: Self.ids(1, 2, 3)),
            Case(label: "no count in the context", candidates: Self.ids(1, 2), context: ValidationContext(request: nil)),
            Case(label: "one of one", candidates: Self.ids(1), context: Self.context { $0.count = 1 }),
        ])
        let v = try #require(try await first("count_mismatch", Self.ids(1, 2)))
        #expect(v.path == "$.candidates" && v.message.contains("asks for 3") && v.message.contains("add 1 more"))
    }

    @Test func roleMismatch() async throws {
        try await expect("role_mismatch", trips: [
            Case(label: "a welder proposed", candidates: Self.ids(1, 2, 5)),
            Case(label: "a warehouse associate proposed", candidates: Self.ids(10, 2, 3)),
            Case(label: "the fill names another role", candidates: Self.ids(1, 2, 3), fillRole: "welder"),
        ], spares: [
            Case(label: "all forklift operators", candidates: Self.ids(1, 2, 3)),
            Case(label: "role from the fill when the context has none", candidates: Self.ids(1, 2, 3), context: Self.context { $0.role = nil }),
            Case(label: "warehouse fill of a warehouse associate", candidates: Self.ids(10), fillRole: "warehouse associate",
                 context: Self.context { $0.role = "warehouse associate"; $0.count = 1 }),
        ])
        #expect(try await first("role_mismatch", Self.ids(1, 2, 5))?.message == "W-000005 is a welder, not a forklift operator; replace them with an active forklift operator")
    }

    @Test func geoMismatch() async throws {
        try await expect("geo_mismatch", trips: [
            Case(label: "a worker in Michigan", candidates: Self.ids(1, 2, 6)),
            Case(label: "a worker 180 miles away in the same state", candidates: Self.ids(1, 2, 7)),
            Case(label: "the fill's state differs", candidates: Self.ids(1, 2, 3), fillState: "MI"),
            Case(label: "the fill's city differs", candidates: Self.ids(1, 2, 3), fillCity: "Detroit"),
        ], spares: [
            Case(label: "all in Toledo", candidates: Self.ids(1, 2, 3)),
            Case(label: "Bowling Green, 20 miles out", candidates: Self.ids(1, 2, 12)),
            Case(label: "unknown city: state only", candidates: Self.ids(1, 2, 7), fillCity: "Smallville", context: Self.context { $0.city = "Smallville" }),
            Case(label: "state spelled in lower case", candidates: Self.ids(1, 2, 3), fillState: "oh"),
        ])
        let v = try #require(try await first("geo_mismatch", Self.ids(1, 2, 7)))
        #expect(v.path == "$.candidates[2].worker_id" && v.message.contains("miles from Toledo, OH (limit 50)"), "\(v.message)")
    }

    @Test func geoRadiusFollowsTheConfiguredMiles() async throws {
        let holder = try Fixture.holder()
        let fill = FillProposal(role: "forklift operator", city: "Toledo", state: "OH", candidates: Self.ids(1, 2, 12))
        let wide = FillValidator(roster: try holder.snapshot(), radiusMiles: 50).validate(fill, context: ValidationContext(request: Fixture.request))
        let narrow = FillValidator(roster: try holder.snapshot(), radiusMiles: 10).validate(fill, context: ValidationContext(request: Fixture.request))
        #expect(!rules(wide.violations).contains("geo_mismatch"))
        #expect(narrow.violations.filter { $0.rule == "geo_mismatch" }.map(\.path) == ["$.candidates[2].worker_id"])
    }

    @Test func inactiveWorker() async throws {
        try await expect("inactive_worker", trips: [
            Case(label: "inactive first", candidates: Self.ids(4, 1, 2)),
            Case(label: "inactive in the middle", candidates: Self.ids(1, 4, 2)),
            Case(label: "only the inactive one", candidates: Self.ids(4), context: Self.context { $0.count = 1 }),
        ], spares: [
            Case(label: "all active", candidates: Self.ids(1, 2, 3)),
            Case(label: "active and far", candidates: Self.ids(1, 2, 7)),
            Case(label: "active in another role", candidates: Self.ids(1, 2, 5)),
        ])
        #expect(try await first("inactive_worker", Self.ids(4, 1, 2))?.message == "W-000004 is inactive; replace them with an active forklift operator")
    }

    @Test func shiftUnavailable() async throws {
        try await expect("shift_unavailable", trips: [
            Case(label: "works 1st only, 2nd asked", candidates: Self.ids(1, 2, 8)),
            Case(label: "does not work Mondays", candidates: Self.ids(1, 2, 11)),
            Case(label: "3rd shift asked of a 1st/2nd worker", candidates: Self.ids(1, 2), context: Self.context { $0.shift = "3rd"; $0.count = 2 }),
        ], spares: [
            Case(label: "everyone works 2nd on Monday", candidates: Self.ids(1, 2, 3)),
            Case(label: "no shift asked", candidates: Self.ids(1, 2, 8), context: Self.context { $0.shift = nil }),
            Case(label: "Tuesday asked of a Tuesday worker", candidates: Self.ids(1, 2, 11), context: Self.context { $0.day = "tue" }),
            Case(label: "1st asked of 1st-shift workers", candidates: Self.ids(1, 8), context: Self.context { $0.shift = "1st"; $0.count = 2 }),
        ])
    }

    @Test func nameMismatch() async throws {
        try await expect("name_mismatch", trips: [
            Case(label: "misspelled", candidates: [Self.id("W-000001", name: "Maria Lopes")] + Self.ids(2, 3)),
            Case(label: "lower case", candidates: [Self.id("W-000001", name: "maria lopez")] + Self.ids(2, 3)),
            Case(label: "another worker's name", candidates: [Self.id("W-000001", name: "James Carter")] + Self.ids(2, 3)),
            Case(label: "empty", candidates: [Self.id("W-000001", name: "")] + Self.ids(2, 3)),
        ], spares: [
            Case(label: "exact names", candidates: Self.ids(1, 2, 3)),
            Case(label: "exact name, own reason", candidates: [FillCandidate(workerID: "W-000001", name: "Maria Lopez", reason: "closest")] + Self.ids(2, 3)),
            Case(label: "exact names of other workers", candidates: Self.ids(1, 2, 12)),
        ])
        #expect(try await first("name_mismatch", [Self.id("W-000001", name: "Maria Lopes")] + Self.ids(2, 3))?.path == "$.candidates[0].name")
    }

    @Test func certificationUnverified() async throws {
        try await expect("certification_unverified", trips: [
            Case(label: "no forklift certification in the roster", candidates: Self.ids(1, 2, 9)),
            Case(label: "truthd confirms only two", candidates: Self.ids(1, 2, 3), truth: .confirmed(["W-000002", "W-000003"])),
            Case(label: "truthd confirms nobody", candidates: Self.ids(1, 2, 3), truth: .confirmed([])),
            Case(label: "truthd unreachable", candidates: Self.ids(1, 2, 3), truth: .unreachable("connection refused")),
        ], spares: [
            Case(label: "truthd confirms all", candidates: Self.ids(1, 2, 3)),
            Case(label: "role needs no certification", candidates: Self.ids(10), fillRole: "warehouse associate",
                 context: Self.context { $0.role = "warehouse associate"; $0.count = 1 }, truth: .confirmed([])),
            Case(label: "phantom worker is not asked about", candidates: Self.ids(1, 2) + [Self.id("W-999999")], truth: .confirmed(["W-000001", "W-000002"])),
        ])
        let partial = try await violations(Case(label: "", candidates: Self.ids(1, 2, 3), truth: .confirmed(["W-000002", "W-000003"])))
        #expect(partial.map(\.rule) == ["certification_unverified"])
        #expect(partial.first?.severity == .error && partial.first?.path == "$.candidates[0].worker_id")
    }

    @Test func certificationIsAWarningWhileTruthdIsUnreachable() async throws {
        let found = try await violations(Case(label: "", candidates: Self.ids(1, 2, 3), truth: .unreachable("connection refused")))
        #expect(found.count == 3)
        #expect(found.allSatisfy { $0.rule == "certification_unverified" && $0.severity == .warning })
        #expect(ValidationResult(violations: found).valid)
        // A roster that lists no certification is an error even then.
        let missing = try await violations(Case(label: "", candidates: Self.ids(1, 2, 9), truth: .unreachable("down")))
        #expect(missing.first { $0.path == "$.candidates[2].worker_id" }?.severity == .error)
    }

    @Test func truthdIsAskedOnceForTheWholeFill() async throws {
        let truth = FakeCertifications(answer: FakeCertifications.confirmsAll.answer)  // its own call log
        let validator = DraftValidator(roster: try Fixture.holder(), certifications: truth, radiusMiles: 50)
        let check = validator.checkFill(Fixture.fill, context: ValidationContext(request: Fixture.request), roster: try validator.roster.snapshot())
        _ = await validator.finish(check, requestID: nil)
        #expect(truth.calls.value.withLock { $0 } == [["W-000001", "W-000002", "W-000003"]])
    }

    @Test func pathsArePrefixedInsideAWholeDraft() async throws {
        let validator = DraftValidator(roster: try Fixture.holder(), certifications: FakeCertifications.confirmsAll, radiusMiles: 50)
        var draft = Fixture.draft
        draft.fill.candidates[1] = Self.id("W-999999")
        draft.email.body += " Call W-000777."
        let found = try await validator.validate(draft, request: Fixture.request, requestID: nil)
        #expect(found.contains { $0.rule == "phantom_worker" && $0.path == "$.fill.candidates[1].worker_id" })
        #expect(found.contains { $0.rule == "phantom_id" && $0.path == "$.email.body" })
    }

    @Test func factsBatchConfirmsOnlyTrueCertifications() {
        func fact(_ value: JSONValue) -> ReconciledFact { ReconciledFact(value: value, source: "hr_system", rule: "priority", conflict: false, claims: []) }
        let facts = FactsBatchResponse(facts: [
            SubjectFacts(subject: "worker:W-000001", attributes: ["certification.forklift": fact(true)]),
            SubjectFacts(subject: "worker:W-000002", attributes: ["certification.forklift": fact(false)]),
            SubjectFacts(subject: "worker:W-000003", attributes: ["certification.cdl-a": fact(true)]),
            SubjectFacts(subject: "worker:W-000004", attributes: ["certification.forklift": fact("yes")]),
        ], missing: ["worker:W-000005"])
        #expect(TruthdCertificationSource.confirmedWorkers(facts, certification: "forklift") == ["W-000001"])
    }
}
