import LakehouseKit
import Testing
@testable import TruthService

@Suite struct ReconcilerTests {
    let reconciler = Reconciler(sourcePriority: TruthConfig.defaultPriority)

    func claim(_ source: String, _ value: JSONValue, _ observedAt: String, confidence: Double? = nil, seq: Int = 0) -> StoredClaim {
        StoredClaim(claim: Claim(subject: "worker:W-000001", attribute: "certification.forklift", value: value, source: source,
                                 observedAt: observedAt, confidence: confidence),
                    seq: seq, observedAt: RFC3339.secondsSinceEpoch(observedAt)!)
    }

    struct Case: CustomTestStringConvertible {
        let name: String
        let claims: [StoredClaim]
        let value: JSONValue
        let source: String
        let rule: String
        let conflict: Bool
        var testDescription: String { name }
    }

    var cases: [Case] {
        [
            Case(name: "priority beats recency",
                 claims: [claim("hr_system", true, "2024-01-10T00:00:00Z"), claim("self_reported", false, "2025-06-01T00:00:00Z")],
                 value: true, source: "hr_system", rule: "priority", conflict: true),
            Case(name: "recency breaks priority ties (two unnamed sources share a rank)",
                 claims: [claim("agency_a", true, "2023-03-01T00:00:00Z"), claim("agency_b", false, "2024-03-01T00:00:00+02:00")],
                 value: false, source: "agency_b", rule: "recency", conflict: true),
            Case(name: "confidence breaks recency ties",
                 claims: [claim("background_check", false, "2024-05-01T12:00:00Z", confidence: 0.6),
                          claim("background_check", true, "2024-05-01T07:00:00-05:00", confidence: 0.9)],
                 value: true, source: "background_check", rule: "confidence", conflict: false),
            Case(name: "an unknown source ranks below every named one",
                 claims: [claim("linkedin", true, "2026-01-01T00:00:00Z"), claim("self_reported", false, "2020-01-01T00:00:00Z")],
                 value: false, source: "self_reported", rule: "priority", conflict: true),
            Case(name: "a single source", claims: [claim("client_feedback", "good", "2025-01-01T00:00:00Z")],
                 value: "good", source: "client_feedback", rule: "single", conflict: false),
            Case(name: "a retraction by a later claim of the same source",
                 claims: [claim("hr_system", true, "2024-01-01T00:00:00Z"), claim("hr_system", false, "2024-06-01T00:00:00Z"),
                          claim("self_reported", true, "2024-07-01T00:00:00Z")],
                 value: false, source: "hr_system", rule: "recency", conflict: true),
            Case(name: "a full tie falls to the deterministic tie-break",
                 claims: [claim("hr_system", true, "2024-01-01T00:00:00Z", seq: 1), claim("hr_system", false, "2024-01-01T00:00:00Z", seq: 2)],
                 value: false, source: "hr_system", rule: "tiebreak", conflict: false),
            Case(name: "agreeing sources are no conflict",
                 claims: [claim("hr_system", true, "2024-01-01T00:00:00Z"), claim("self_reported", true, "2025-01-01T00:00:00Z")],
                 value: true, source: "hr_system", rule: "priority", conflict: false),
        ]
    }

    @Test func reconciliationTable() {
        for c in cases {
            let fact = reconciler.fact(c.claims)
            #expect(fact.value == c.value, "\(c.name)")
            #expect(fact.source == c.source, "\(c.name)")
            #expect(fact.rule == c.rule, "\(c.name)")
            #expect(fact.conflict == c.conflict, "\(c.name)")
            #expect(fact.claims.count == c.claims.count && fact.claims[0].value == c.value, "\(c.name): provenance lists every claim, winner first")
            // The decision never depends on the order claims arrived in.
            #expect(reconciler.fact(c.claims.reversed()).value == c.value, "\(c.name) reversed")
            // The explanation ends with exactly the winner.
            let steps = reconciler.explain(c.claims)
            #expect(steps.last?.kept.count == 1 && steps.last?.kept[0].claim.value == c.value, "\(c.name)")
        }
    }

    @Test func explanationNamesEachRuleInOrder() {
        let steps = reconciler.explain([claim("hr_system", true, "2024-01-01T00:00:00Z"), claim("hr_system", false, "2023-01-01T00:00:00Z"),
                                        claim("self_reported", false, "2025-01-01T00:00:00Z")])
        #expect(steps.map(\.rule) == [.priority, .recency])
        #expect(steps[0].eliminated.map(\.claim.source) == ["self_reported"])
        #expect(steps[1].eliminated.map(\.claim.observedAt) == ["2023-01-01T00:00:00Z"])
    }

    @Test func sourcePriorityComesFromTheConfiguration() throws {
        let config = try TruthConfig(environment: Environment(["TRUTHD_SOURCE_PRIORITY": "self_reported, hr_system"]), dataDirectory: "/tmp/x")
        let custom = Reconciler(sourcePriority: config.sourcePriority)
        let fact = custom.fact([claim("hr_system", true, "2025-01-01T00:00:00Z"), claim("self_reported", false, "2020-01-01T00:00:00Z")])
        #expect(fact.value == false && fact.rule == "priority")
        #expect(throws: ConfigError.self) { _ = try TruthConfig(environment: Environment(["TRUTHD_SOURCE_PRIORITY": "a,a"]), dataDirectory: "/") }
        #expect(throws: ConfigError.self) { _ = try TruthConfig(environment: Environment(["TRUTHD_MAX_BATCH": "0"]), dataDirectory: "/") }
        #expect(throws: ConfigError.self) { _ = try TruthConfig(environment: Environment(["TRUTHD_PRIORITY": "x"]), dataDirectory: "/") }
    }

    @Test func rfc3339TimesCompareAcrossOffsets() {
        #expect(RFC3339.secondsSinceEpoch("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.secondsSinceEpoch("2024-05-01T07:00:00-05:00") == RFC3339.secondsSinceEpoch("2024-05-01T12:00:00Z"))
        #expect(RFC3339.secondsSinceEpoch("2000-03-01T00:00:00.5Z") == 951_868_800.5)
        for bad in ["2024-02-30T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "yesterday", "2024-01-01T24:00:00Z"] {
            #expect(RFC3339.secondsSinceEpoch(bad) == nil, "\(bad)")
        }
    }
}
