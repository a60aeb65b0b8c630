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
        let directory = try await MiniLMModelFixture.modelDirectory()
        let sentences = Array(MiniLMSentences.varied(count: 200, seed: 7))
        let reference = try await MiniLMModelFixture.reference("embed", sentences, as: [[Double]].self)
        let provider = try await MiniLMModelFixture.offPool { try MiniLMEmbedProvider(directory: directory, threads: 2) }
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

    @Test func concurrentCallsAreMergedYetEachGetsItsOwnVectors() async throws {
        let directory = try await MiniLMModelFixture.modelDirectory()
        let provider = try await MiniLMModelFixture.offPool { try MiniLMEmbedProvider(directory: directory, threads: 2) }
        let texts = (0..<24).map { "worker \($0): " + MiniLMSentences.fragments[$0 * 5 % MiniLMSentences.fragments.count] }
        let alone = try await MiniLMModelFixture.offPool { texts.map { provider.embedNow([$0])[0] } }
        let together = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, try await provider.embed([text, "shared tail"], model: "all-minilm-l6-v2")) }
            }
            var results = [[[Float]]](repeating: [], count: texts.count)
            for try await (index, vectors) in group { results[index] = vectors }
            return results
        }
        let tail = try await MiniLMModelFixture.offPool { provider.embedNow(["shared tail"])[0] }
        for (index, vectors) in together.enumerated() {
            #expect(vectors.count == 2)
            #expect(Self.cosine(vectors[0], alone[index].map(Double.init)) > 0.99999, "text \(index)")
            #expect(Self.cosine(vectors[1], tail.map(Double.init)) > 0.99999)
        }
    }

    @Test func portableAndAVX2KernelsGiveTheSameVectors() async throws {
        let directory = try await MiniLMModelFixture.modelDirectory()
        let sentences = MiniLMSentences.varied(count: 12, seed: 3)
        let vectors = try await MiniLMModelFixture.offPool {
            try EncoderKernelChoice.available.map { try MiniLMEmbedProvider(directory: directory, threads: 1, kernels: $0).embedNow(sentences) }
        }
        for other in vectors.dropFirst() {
            for (a, b) in zip(vectors[0], other) { #expect(Self.cosine(a, b.map(Double.init)) > 0.99999) }
        }
    }
}
