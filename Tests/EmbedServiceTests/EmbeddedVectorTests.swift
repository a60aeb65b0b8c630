import Foundation
import Testing
@testable import EmbedService

@Suite struct EmbeddedVectorTests {
    @Test func jsonIsTheEncodedValues() throws {
        let vector = EmbeddedVector([0.5, -0.25, 1e-5])
        #expect(String(decoding: vector.json, as: UTF8.self) == "[0.5,-0.25,1e-05]")
        #expect(vector.dims == 3)
    }

    @Test func checkRejectsWrongCountMixedLengthsEmptyAndNonFinite() {
        #expect(throws: EmbedError.providerFailed(provider: "p", message: "returned 1 vectors for 2 texts")) {
            try EmbeddingCheck.validate([[1]], expectedCount: 2, provider: "p")
        }
        #expect(throws: EmbedError.providerFailed(provider: "p", message: "returned vectors of different lengths (2 and 1 at 1)")) {
            try EmbeddingCheck.validate([[1, 2], [1]], expectedCount: 2, provider: "p")
        }
        #expect(throws: EmbedError.providerFailed(provider: "p", message: "returned an empty vector")) {
            try EmbeddingCheck.validate([[]], expectedCount: 1, provider: "p")
        }
        #expect(throws: EmbedError.providerFailed(provider: "p", message: "returned a non-finite value in vector 1")) {
            try EmbeddingCheck.validate([[1], [.infinity]], expectedCount: 2, provider: "p")
        }
        #expect(throws: Never.self) { try EmbeddingCheck.validate([[1, 2], [3, 4]], expectedCount: 2, provider: "p") }
    }
}
