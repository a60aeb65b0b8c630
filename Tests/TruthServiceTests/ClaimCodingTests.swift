import Foundation
import LakehouseKit
import Testing
@testable import TruthService

@Suite struct ClaimCodingTests {
    @Test func factsWrittenDirectlyDecodeAsTheSharedContract() throws {
        let claims = [
            Claim(subject: "worker:W-000001", attribute: "certification.forklift", value: true, source: "hr_system", observedAt: "2026-01-01T00:00:00Z"),
            Claim(subject: "worker:W-000001", attribute: "certification.forklift", value: false, source: "self_reported",
                  observedAt: "2026-02-01T00:00:00Z", confidence: 0.4),
        ]
        let facts = SubjectFacts(subject: "worker:W-000001", attributes: [
            "certification.forklift": ReconciledFact(value: true, source: "hr_system", rule: "priority", conflict: true, claims: claims),
            "rating": ReconciledFact(value: ["score": 4.5, "notes": "ok/fine é"], source: "client_feedback", rule: "single", conflict: false, claims: []),
        ])
        var writer = JSONWriter()
        ClaimCoding.write(facts, to: &writer)
        #expect(try JSONDecoder().decode(SubjectFacts.self, from: Data(writer.bytes)) == facts)
        #expect(writer.bytes == (try JSONCoding.encode(facts)), "same bytes as the encoder's sorted form")
    }

    @Test func claimsRoundTripThroughTheLogFormat() throws {
        let claim = Claim(subject: "s", attribute: "a", value: ["x": [1, "two", nil]], source: "src", observedAt: "2026-01-01T00:00:00+01:00", confidence: 1)
        let bytes = ClaimCoding.encode(claim)
        let (decoded, time) = try bytes.withUnsafeBytes { try ClaimCoding.decode($0, path: "claim") }
        #expect(decoded == claim && time == 1_767_222_000)
    }
}
