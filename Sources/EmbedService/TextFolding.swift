import Foundation

/// How the hash embedder reads text: which Unicode scalars are word characters, and what each one
/// folds to (lowercase, diacritics removed), so "Café", "CAFE" and "cafe\u{301}" are the same word.
///
/// The fold is a pure function of the scalar and the Unicode data shipped with the toolchain; it never
/// depends on locale or process state, which keeps hash vectors identical across restarts.
enum TextFolding {
    /// `fold(_:)` result for a scalar that separates words (spaces, punctuation, symbols).
    static let separator: UInt32 = 0
    /// `fold(_:)` result for a scalar that is skipped without splitting the word: combining marks
    /// (the accents of decomposed text), zero-width joiners, soft hyphen.
    static let ignorable: UInt32 = 1

    /// Scalars below this bound are looked up in a table; above it, computed from Unicode properties.
    /// 0x2000 covers Latin (with Extended Additional, used by Vietnamese), Greek, Cyrillic, Hebrew,
    /// Arabic and the Indic blocks, the scripts where diacritic folding matters.
    static let tableBound: UInt32 = 0x2000

    /// `table[s]` is `fold(s)` for every scalar below `tableBound`, built once on first use.
    static let table: [UInt32] = (0..<tableBound).map { computeFold(UInt32($0)) }

    /// The folded scalar value, or `separator`, or `ignorable`.
    @inline(__always)
    static func fold(_ scalar: UInt32) -> UInt32 {
        if scalar < tableBound { return table[Int(scalar)] }
        return computeFold(scalar)
    }

    /// The slow path: the table is built from this, and scalars above `tableBound` use it directly.
    static func computeFold(_ value: UInt32) -> UInt32 {
        guard let scalar = Unicode.Scalar(value) else { return separator }
        if value < 0x80 {
            switch value {
            case 0x41...0x5A: return value + 0x20 // A-Z
            case 0x61...0x7A, 0x30...0x39: return value // a-z, 0-9
            default: return separator
            }
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .format:
            // Accents of decomposed text, ZWJ/ZWNJ, soft hyphen: part of the word, not a letter of it.
            return ignorable
        default:
            break
        }
        guard properties.isAlphabetic || properties.numericType != nil else { return separator }
        var folded = scalar
        if value < tableBound {
            // Canonical decomposition: keep the base letter when everything after it is a mark.
            let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars
            if let base = decomposed.first,
                decomposed.dropFirst().allSatisfy({ $0.properties.generalCategory == .nonspacingMark })
            {
                folded = base
            }
        }
        if folded.properties.changesWhenLowercased, let lower = folded.properties.lowercaseMapping.unicodeScalars.first {
            folded = lower
        }
        // A fold never lands on the two reserved results: both are control characters.
        return folded.value
    }
}
