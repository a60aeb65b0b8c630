import Foundation
import Testing
@testable import EmbedService

@Suite struct WordPieceTokenizerTests {
    /// 1,000 varied sentences give exactly the ids of Hugging Face `tokenizers` over the same vocab.txt.
    @Test func idsMatchHuggingFaceTokenizers() async throws {
        let directory = try await MiniLMModelFixture.modelDirectory()
        let tokenizer = try WordPieceTokenizer(vocabularyFile: directory + "/vocab.txt", maxLength: 256)
        let sentences = MiniLMSentences.varied(count: 1000, seed: 42)
        let reference = try await MiniLMModelFixture.reference("tokens", sentences, as: [[Int32]].self)
        #expect(reference.count == 1000)
        let mine = try await MiniLMModelFixture.offPool { sentences.map(tokenizer.encode) }
        var mismatches = 0
        for ((sentence, expected), ids) in zip(zip(sentences, reference), mine) {
            if ids != expected {
                mismatches += 1
                if mismatches <= 10 {
                    Issue.record("\(sentence.debugDescription.prefix(200)): got \(ids.prefix(40)), tokenizers \(expected.prefix(40))")
                }
            }
        }
        #expect(mismatches == 0)
    }

    private func tiny() throws -> WordPieceTokenizer {
        try WordPieceTokenizer(
            tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "fork", "##lift", "lift", "truck", "cafe", ",", "!", "東"], maxLength: 8)
    }

    @Test func continuationsPunctuationAccentsAndCJK() throws {
        let t = try tiny()
        #expect(t.encode("Forklift, TRUCK!") == [2, 5, 6, 10, 8, 11, 3])
        #expect(t.encode("Café東lift") == [2, 9, 12, 7, 3])
        #expect(t.encode("forkz") == [2, 1, 3], "a word that cannot be covered is one [UNK]")
        #expect(t.encode("") == [2, 3])
    }

    @Test func truncatesToMaxLengthIncludingSpecialTokens() throws {
        let ids = try tiny().encode(String(repeating: "lift ", count: 50))
        #expect(ids == [2, 7, 7, 7, 7, 7, 7, 3])
    }

    @Test func specialTokensInTheTextAreTheirIds() throws {
        #expect(try tiny().encode("truck[SEP]lift") == [2, 8, 3, 7, 3])
    }

    @Test func aVocabularyWithoutSpecialTokensIsRefused() {
        #expect(throws: MiniLMModelError.self) { try WordPieceTokenizer(tokens: ["a", "b"], maxLength: 8) }
    }
}
