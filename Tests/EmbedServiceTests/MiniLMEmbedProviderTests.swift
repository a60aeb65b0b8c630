import Foundation
import MiniLMKernels
import Testing
@testable import EmbedService

/// The Swift encoder against an independent NumPy forward pass over the same weights.
@Suite struct MiniLMEmbedProviderTests {
    static func cosine(_ a: [Float], _ b: [Double]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * y
            na += Double(x) * Double(x)
            nb += y * y
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    @Test func embeddingsMatchTheNumPyReference() async throws {
        let directory = try MiniLMModelFixture.modelDirectory()
        let sentences = Array(MiniLMSentences.varied(count: 200, seed: 7))
        let reference = try MiniLMModelFixture.reference("embed", sentences, as: [[Double]].self)
        let provider = try MiniLMEmbedProvider(directory: directory, threads: 2)
        let vectors = try await provider.embed(sentences, model: "all-minilm-l6-v2")
        #expect(vectors.count == 200)
        var worst = 1.0
        for (index, (mine, theirs)) in zip(vectors, reference).enumerated() {
            #expect(mine.count == 384)
            let similarity = Self.cosine(mine, theirs)
            worst = min(worst, similarity)
            #expect(similarity >= 0.9999, "sentence \(index) \(sentences[index].debugDescription): cosine \(similarity)")
        }
        print("minilm vs NumPy reference: 200 sentences, worst cosine \(worst), kernels \(provider.kernelName)")
    }
}
