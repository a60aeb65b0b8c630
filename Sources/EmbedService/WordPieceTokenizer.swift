import Foundation

/// BERT's uncased WordPiece tokeniser, exactly as Hugging Face `tokenizers` runs it for
/// all-MiniLM-L6-v2 (`BertNormalizer` with lowercase, `BertPreTokenizer`, `WordPiece`, then
/// `[CLS] … [SEP]`):
///
/// 1. clean: drop NUL, U+FFFD and control/format/unassigned/private-use characters; every
///    whitespace character becomes a space;
/// 2. put spaces around CJK ideographs, so each is a word of its own;
/// 3. strip accents: canonical decomposition (NFD), then drop every nonspacing mark (Mn);
/// 4. lower-case (full Unicode mapping, character by character);
/// 5. split on whitespace, and make every punctuation character (ASCII punctuation or Unicode P*)
///    a word of its own;
/// 6. each word becomes the longest vocabulary prefix, then `##`-continuations, greedily; a word
///    longer than 100 characters, or one that cannot be covered, is one `[UNK]`;
/// 7. special tokens written in the text (`[CLS]`, `[SEP]`, `[UNK]`, `[PAD]`, `[MASK]`) are
///    their own ids, as `tokenizers`' added tokens are;
/// 8. truncate to `maxLength` ids including `[CLS]` and `[SEP]`.
public struct WordPieceTokenizer: Sendable {
    public static let maxCharactersPerWord = 100

    let vocabulary: [String: Int32]
    public let unknownID: Int32
    public let classID: Int32
    public let separatorID: Int32
    /// The special tokens present in the vocabulary, longest first.
    let specialTokens: [(token: String, id: Int32)]
    /// The most ids `encode` returns, `[CLS]` and `[SEP]` included.
    public let maxLength: Int
    public var vocabularySize: Int { vocabulary.count }

    /// The vocabulary, one token per line, the line number its id (as `vocab.txt` ships).
    public init(vocabularyFile path: String, maxLength: Int) throws(MiniLMModelError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw MiniLMModelError(path, "cannot read") }
        guard let text = String(data: data, encoding: .utf8) else { throw MiniLMModelError(path, "not UTF-8 text") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        try self.init(tokens: lines.map { String($0.reversed().drop(while: \.isWhitespace).reversed()) }, maxLength: maxLength, source: path)
    }

    public init(tokens: [String], maxLength: Int, source: String = "vocab.txt") throws(MiniLMModelError) {
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() { vocabulary[token] = Int32(id) }
        func special(_ token: String) throws(MiniLMModelError) -> Int32 {
            guard let id = vocabulary[token] else { throw MiniLMModelError(source, "the vocabulary has no \(token) token") }
            return id
        }
        self.vocabulary = vocabulary
        unknownID = try special("[UNK]")
        classID = try special("[CLS]")
        separatorID = try special("[SEP]")
        specialTokens = ["[MASK]", "[CLS]", "[SEP]", "[UNK]", "[PAD]"].compactMap { token in vocabulary[token].map { (token, $0) } }
        guard maxLength >= 2 else { throw MiniLMModelError(source, "max length \(maxLength) leaves no room for [CLS] and [SEP]") }
        self.maxLength = maxLength
    }

    /// `[CLS]`, the text's word pieces (truncated), `[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [classID]
        let budget = maxLength - 1
        for segment in specialSegments(text) {
            if ids.count >= budget { break }
            switch segment {
            case .special(let id):
                ids.append(id)
            case .text(let part):
                for word in Self.words(Self.normalize(part)) {
                    if ids.count >= budget { break }
                    appendPieces(of: word, to: &ids)
                }
            }
        }
        if ids.count > budget { ids.removeSubrange(budget...) }
        ids.append(separatorID)
        return ids
    }

    // MARK: - Special tokens written in the text

    enum Segment: Equatable {
        case text(Substring)
        case special(Int32)
    }

    /// `tokenizers` registers the special tokens as added tokens: written literally in the raw
    /// text (case-sensitive, before any normalisation), each is its own id.
    func specialSegments(_ text: String) -> [Segment] {
        guard text.utf8.contains(UInt8(ascii: "[")) else { return [.text(text[...])] }
        var segments: [Segment] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            if text.utf8[index] == UInt8(ascii: "["),
                let (token, id) = specialTokens.first(where: { text.utf8[index...].starts(with: $0.token.utf8) })
            {
                if start < index { segments.append(.text(text[start..<index])) }
                segments.append(.special(id))
                index = text.utf8.index(index, offsetBy: token.utf8.count)
                start = index
            } else {
                index = text.utf8.index(after: index)
            }
        }
        if start < text.endIndex { segments.append(.text(text[start...])) }
        return segments
    }

    // MARK: - Normalisation (steps 1–4)

    static func normalize(_ text: Substring) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                cleaned.append(" ")
            } else if isChineseCharacter(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(cleaned.count)
        // Fast path: ASCII needs neither decomposition nor anything but ASCII lower-casing.
        if cleaned.allSatisfy(\.isASCII) {
            for scalar in cleaned {
                result.append(scalar.value >= 65 && scalar.value <= 90 ? Unicode.Scalar(scalar.value + 32)! : scalar)
            }
            return result
        }
        for scalar in String(cleaned).decomposedStringWithCanonicalMapping.unicodeScalars where !isMark(scalar) {
            let lower = scalar.properties.lowercaseMapping
            if lower.unicodeScalars.count == 1, let only = lower.unicodeScalars.first {
                result.append(only)
            } else {
                result.append(contentsOf: lower.unicodeScalars)
            }
        }
        return result
    }

    /// Whitespace as `tokenizers` sees it: tab, newline, return, or Unicode White_Space.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    /// Cc, Cf, Cn, Co, Cs, except tab, newline and return (which are whitespace).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// Nonspacing marks (Mn) only: spacing marks such as Devanagari vowel signs stay.
    static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .nonspacingMark
    }

    /// The CJK Unified Ideographs blocks BERT isolates (not Hiragana, Katakana or Hangul).
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F, 0x2B820...0x2CEAF,
            0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            return (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v)
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    // MARK: - Words (step 5) and pieces (step 6)

    static func words(_ scalars: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words: [ArraySlice<Unicode.Scalar>] = []
        var start = 0
        for (i, scalar) in scalars.enumerated() {
            if scalar == " " || isWhitespace(scalar) {
                if start < i { words.append(scalars[start..<i]) }
                start = i + 1
            } else if isPunctuation(scalar) {
                if start < i { words.append(scalars[start..<i]) }
                words.append(scalars[i..<i + 1])
                start = i + 1
            }
        }
        if start < scalars.count { words.append(scalars[start...]) }
        return words
    }

    func appendPieces(of word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32]) {
        guard word.count <= Self.maxCharactersPerWord else {
            ids.append(unknownID)
            return
        }
        let mark = ids.count
        var start = word.startIndex
        while start < word.endIndex {
            var end = word.endIndex
            var found: Int32?
            while start < end {
                var candidate = start == word.startIndex ? "" : "##"
                candidate.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else {
                ids.removeSubrange(mark...)
                ids.append(unknownID)
                return
            }
            ids.append(found)
            start = end
        }
    }
}
