import Testing
@testable import EmbedService

@Suite struct TextFoldingTests {
    private func fold(_ scalar: Unicode.Scalar) -> UInt32 { TextFolding.fold(scalar.value) }

    @Test func asciiLettersLowercaseDigitsStayPunctuationSeparates() {
        #expect(fold("A") == ("a" as Unicode.Scalar).value)
        #expect(fold("z") == ("z" as Unicode.Scalar).value)
        #expect(fold("7") == ("7" as Unicode.Scalar).value)
        for scalar: Unicode.Scalar in [" ", "-", ",", ".", "'", "\n", "\0", "@", "_"] {
            #expect(fold(scalar) == TextFolding.separator, "\(scalar.escaped(asASCII: true))")
        }
    }

    @Test func accentedLettersFoldToTheirBaseLetter() {
        #expect(fold("É") == ("e" as Unicode.Scalar).value)
        #expect(fold("ñ") == ("n" as Unicode.Scalar).value)
        #expect(fold("Å") == ("a" as Unicode.Scalar).value)
        #expect(fold("İ") == ("i" as Unicode.Scalar).value)
        #expect(fold("ệ") == ("e" as Unicode.Scalar).value)  // Vietnamese, Latin Extended Additional
        #expect(fold("Ά") == fold("α"))  // Greek tonos
        #expect(fold("Й") == fold("и"))  // Cyrillic short i decomposes to и + breve
    }

    @Test func lettersWithoutDecompositionOnlyLowercase() {
        #expect(fold("ß") == ("ß" as Unicode.Scalar).value)
        #expect(fold("Ø") == ("ø" as Unicode.Scalar).value)
        #expect(fold("Ω") == ("ω" as Unicode.Scalar).value)
    }

    @Test func combiningMarksAndJoinersAreIgnorable() {
        #expect(fold("\u{301}") == TextFolding.ignorable)
        #expect(fold("\u{200D}") == TextFolding.ignorable)
        #expect(fold("\u{AD}") == TextFolding.ignorable)
    }

    @Test func scalarsAboveTheTableUsePropertiesDirectly() {
        #expect(fold("東") == ("東" as Unicode.Scalar).value)
        #expect(fold("\u{FF21}") == 0xFF41)  // fullwidth A → fullwidth a
        #expect(fold("😀") == TextFolding.separator)
        #expect(fold("\u{3000}") == TextFolding.separator)  // ideographic space
    }

    @Test func tableAgreesWithTheSlowPath() {
        for value in stride(from: UInt32(0), to: TextFolding.tableBound, by: 1) {
            #expect(TextFolding.table[Int(value)] == TextFolding.computeFold(value))
        }
    }
}
