import LakehouseKit

/// Dictionary/regex role extraction over the role vocabulary: every canonical name, synonym and
/// abbreviation, singular and plural, matched on word boundaries in the normalised sentence. The
/// longest phrase wins ("nurse aide" is a CNA, not a nurse), then the earliest.
struct RoleExtractor: Sendable {
    struct Match: Sendable, Equatable {
        let role: String
        let confidence: Double
        /// Where the phrase starts and ends in the normalised text's tokens.
        let tokenRange: Range<Int>
    }

    private struct Phrase: Sendable {
        let tokens: [String]
        let role: String
        let confidence: Double
    }

    /// Phrases by their first token.
    private let phrases: [String: [Phrase]]

    init(vocabulary: [RoleDefinition] = RoleVocabulary.all) {
        var phrases: [String: [Phrase]] = [:]
        for role in vocabulary {
            let forms: [(String, Double)] = [(role.name, 0.95)] + role.synonyms.map { ($0, $0.count <= 3 ? 0.8 : 0.9) }
            for (form, confidence) in forms {
                for spelling in Set([form, RoleNames.plural(form)]) {
                    let tokens = RoleExtractor.tokens(spelling)
                    guard let first = tokens.first else { continue }
                    phrases[first, default: []].append(Phrase(tokens: tokens, role: role.name, confidence: confidence))
                }
            }
        }
        for key in phrases.keys { phrases[key]!.sort { $0.tokens.count > $1.tokens.count } }
        self.phrases = phrases
    }

    /// Lower-case words: letters, digits and inner hyphens ("cdl-a", "hi-lo"); everything else separates.
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || (character == "-" && !current.isEmpty) {
                current.append(character)
            } else if !current.isEmpty {
                tokens.append(current.hasSuffix("-") ? String(current.dropLast()) : current)
                current = ""
            }
        }
        if !current.isEmpty { tokens.append(current.hasSuffix("-") ? String(current.dropLast()) : current) }
        return tokens
    }

    func match(_ text: String) -> Match? {
        match(tokens: RoleExtractor.tokens(text), original: text)
    }

    func match(tokens: [String], original: String) -> Match? {
        var best: Match?
        for start in tokens.indices {
            guard let candidates = phrases[tokens[start]] else { continue }
            for phrase in candidates where start + phrase.tokens.count <= tokens.count {
                guard Array(tokens[start..<start + phrase.tokens.count]) == phrase.tokens else { continue }
                // Two-letter abbreviations that are also state codes ("MA") only count as a role
                // when they are not in a state's place ("Boston, MA").
                if phrase.tokens.count == 1, phrase.tokens[0].count == 2, USStates.byCode[phrase.tokens[0].uppercased()] != nil,
                   RoleExtractor.followsComma(tokenIndex: start, in: original) { continue }
                let found = Match(role: phrase.role, confidence: phrase.confidence, tokenRange: start..<start + phrase.tokens.count)
                if best == nil || found.tokenRange.count > best!.tokenRange.count { best = found }
                break  // candidates are longest first
            }
        }
        return best
    }

    /// Whether the `tokenIndex`-th token of `text` comes right after a comma.
    static func followsComma(tokenIndex: Int, in text: String) -> Bool {
        var inToken = false
        var lastSeparator: Character = " "
        var separatorBefore: [Character] = []
        for character in text.lowercased() {
            let isWord = character.isLetter || character.isNumber || (character == "-" && inToken)
            if isWord && !inToken {
                separatorBefore.append(lastSeparator)
                inToken = true
                lastSeparator = " "
            } else if !isWord {
                inToken = false
                if character == "," { lastSeparator = "," }
            }
        }
        return tokenIndex < separatorBefore.count && separatorBefore[tokenIndex] == ","
    }
}
