import Foundation
import Testing
@testable import EmbedService

@Suite struct HashEmbedderTests {
    let embedder = HashEmbedder()

    @Test func sameTextGivesByteIdenticalVectorAcrossProcesses() {
        // Pinned fingerprints: they change only if the algorithm changes, never with process state
        // (hash seeds, locale, libm). Changing them is a deliberate act: every stored vector moves.
        let pinned: [(String, UInt64)] = [
            ("Need 3 forklift operators in Toledo, OH for Monday 2nd shift", 0xB85F_7177_C9A0_EC66),
            ("Café crème", 0x816C_DFC8_12B4_BCA5),
            ("", 0x7B29_7D0D_BC2F_2388),
        ]
        for (text, expected) in pinned {
            let vector = embedder.embed(text)
            #expect(fingerprint(vector) == expected, "\(text): \(String(fingerprint(vector), radix: 16))")
            #expect(embedder.embed(text) == vector)
        }
    }

    @Test func vectorsHaveConfiguredDimsAndUnitNorm() {
        for dims in [1, 8, 384, 1536] {
            let embedder = HashEmbedder(dims: dims)
            for text in ["forklift operator", "a", "", "   ", "!!!", "ÅÄÖ 東京 123", String(repeating: "word ", count: 2000)] {
                let vector = embedder.embed(text)
                #expect(vector.count == dims)
                let norm = vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                #expect(abs(norm - 1) < 1e-5, "dims \(dims), \(text.prefix(20)): norm \(norm)")
            }
        }
    }

    @Test func paraphraseSharingWordsScoresCloserThanUnrelatedSentence() {
        let query = embedder.embed("Need 3 forklift operators in Toledo for Monday second shift")
        let paraphrase = embedder.embed("Toledo needs forklift operators on the Monday second shift")
        let unrelated = embedder.embed("Quarterly revenue grew because cloud subscriptions renewed early")
        #expect(cosine(query, paraphrase) > 0.5)
        #expect(cosine(query, unrelated) < 0.2)
        #expect(cosine(query, paraphrase) > cosine(query, unrelated) + 0.3)
    }

    @Test func sharedSpellingScoresCloserThanNoSharedSpelling() {
        // Character trigrams: an inflected form is closer than a different word.
        let operatorVector = embedder.embed("operator")
        #expect(cosine(operatorVector, embedder.embed("operators")) > cosine(operatorVector, embedder.embed("welder")) + 0.3)
    }

    @Test func caseAndDiacriticsAndCompositionDoNotMatter() {
        let plain = embedder.embed("cafe creme resume")
        #expect(embedder.embed("CAFÉ Crème RÉSUMÉ") == plain)
        #expect(embedder.embed("cafe\u{301} cre\u{300}me re\u{301}sume\u{301}") == plain)
        #expect(embedder.embed("Zürich") == embedder.embed("zurich"))
        // Ł has no canonical decomposition: it is a letter of its own, only lowercased.
        #expect(embedder.embed("Łódź") == embedder.embed("łodz"))
    }

    @Test func punctuationAndSpacingOnlySeparateWords() {
        #expect(embedder.embed("forklift-operator, Toledo!") == embedder.embed("forklift operator toledo"))
        #expect(embedder.embed("  forklift\toperator\n") == embedder.embed("forklift operator"))
    }

    @Test func wordOrderMattersThroughBigrams() {
        let a = embedder.embed("warehouse picker")
        let b = embedder.embed("picker warehouse")
        #expect(a != b)
        #expect(cosine(a, b) > 0.5)  // same words and trigrams, different bigram
        // Only a bucket-and-sign collision of the two bigrams (about 1 in 768) makes orders equal.
        let words = ["forklift", "operator", "toledo", "ohio", "second", "shift", "warehouse", "picker"]
        var equal = 0
        for x in words {
            for y in words where x < y && embedder.embed("\(x) \(y)") == embedder.embed("\(y) \(x)") { equal += 1 }
        }
        #expect(equal <= 2)
    }

    @Test func textWithoutLettersOrDigitsIsTheFixedUnitVector() {
        let empty = embedder.embed("")
        #expect(empty.filter { $0 != 0 }.count == 1)
        #expect(empty.contains(1) || empty.contains(-1))
        for text in [" ", "\n\t", "!!! ???", "—", "\u{301}"] {
            #expect(embedder.embed(text) == empty, "\(text.debugDescription)")
        }
        #expect(embedder.embed("a") != empty)
    }

    @Test func nonLatinScriptsEmbedAsWords() {
        let tokyo = embedder.embed("東京 倉庫")
        #expect(tokyo != embedder.embed(""))
        #expect(cosine(tokyo, embedder.embed("東京")) > 0.3)
        #expect(embedder.embed("Москва") == embedder.embed("москва"))
    }

    @Test func invalidUTF8BytesAreSeparators() {
        let bytes: [UInt8] = Array("fork".utf8) + [0xFF] + Array("lift".utf8)
        let vector = bytes.withUnsafeBufferPointer { embedder.embed(utf8: $0) }
        #expect(vector == embedder.embed("fork lift"))
    }

    @Test func stableLogMatchesLibm() {
        for n in [1, 2, 3, 10, 255, 256, 1000, 123_456] {
            #expect(abs(StableLog.ln(n) - Foundation.log(Double(n))) < 1e-13, "ln \(n)")
        }
    }
}
