import LakehouseKit

/// Reads count, place, shift and day out of a coordinator's sentence ("Need 3 forklift operators in
/// Toledo, OH for Monday 2nd shift" → 3, Toledo, OH, 2nd, mon). The role is `RoleExtractor`'s job;
/// this is the rest, by rules over the sentence's words (no model).
struct RequestParser: Sendable {
    struct Parsed: Sendable, Equatable {
        var count: Int?
        var city: String?
        var state: String?
        var shift: String?
        var day: String?
    }

    /// A word of the sentence: lower-cased for matching, as written for capitalisation, and what
    /// stood before it.
    struct Word: Sendable {
        let lower: String
        let original: String
        let afterComma: Bool
        let afterDollar: Bool
    }

    private static let gazetteerPhrases: [(tokens: [String], city: City)] = Gazetteer.cities
        .map { (RoleExtractor.tokens($0.name), $0) }
        .sorted { $0.0.count > $1.0.count }

    private static let stateNamePhrases: [(tokens: [String], code: String)] = USStates.byName
        .map { (RoleExtractor.tokens($0.key), $0.value) }
        .sorted { $0.0.count > $1.0.count }

    /// The phrases above by their first token, each list in the same order (longest first): a
    /// sentence's words are looked up, not compared with every city and state name.
    private static let gazetteerByFirst = Dictionary(grouping: gazetteerPhrases, by: { $0.tokens[0] })
    private static let stateNamesByFirst = Dictionary(grouping: stateNamePhrases, by: { $0.tokens[0] })

    /// Whether `words` hold `tokens` starting at `start` (lower-cased forms).
    private static func matches(_ tokens: [String], in words: [Word], at start: Int) -> Bool {
        guard start + tokens.count <= words.count else { return false }
        for (offset, token) in tokens.enumerated() where words[start + offset].lower != token { return false }
        return true
    }

    static let numberWords: [String: Int] = [
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
        "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "dozen": 12, "couple": 2,
    ]

    /// Words after a number that make it something other than a head count.
    private static let notCounts: Set<String> = [
        "am", "pm", "a", "hr", "hrs", "hour", "hours", "mi", "mile", "miles", "dollars", "usd", "percent", "days", "day",
        "weeks", "week", "months", "month", "years", "year", "yrs", "min", "mins", "minutes", "k", "lb", "lbs", "per",
    ]

    static let dayNames: [String: String] = [
        "monday": "mon", "mondays": "mon", "mon": "mon", "tuesday": "tue", "tuesdays": "tue", "tue": "tue", "tues": "tue",
        "wednesday": "wed", "wednesdays": "wed", "wed": "wed", "thursday": "thu", "thursdays": "thu", "thu": "thu",
        "thur": "thu", "thurs": "thu", "friday": "fri", "fridays": "fri", "fri": "fri", "saturday": "sat", "saturdays": "sat",
        "sat": "sat", "sunday": "sun", "sundays": "sun", "sun": "sun",
    ]

    static func words(_ text: String) -> [Word] {
        var words: [Word] = []
        var current = ""
        var sawComma = false
        var sawDollar = false
        var commaBefore = false
        var dollarBefore = false
        func flush() {
            guard !current.isEmpty else { return }
            words.append(Word(lower: current.lowercased(), original: current, afterComma: commaBefore, afterDollar: dollarBefore))
            current = ""
        }
        for character in text {
            // Hyphens split words here ("2nd-shift"), unlike the role extractor's "cdl-a".
            if character.isLetter || character.isNumber {
                if current.isEmpty {
                    commaBefore = sawComma
                    dollarBefore = sawDollar
                    sawComma = false
                    sawDollar = false
                }
                current.append(character)
            } else {
                flush()
                if character == "," { sawComma = true }
                if character == "$" { sawDollar = true }
                if character == "." || character == ":" { sawComma = false }
            }
        }
        flush()
        return words
    }

    func parse(_ text: String) -> Parsed {
        let words = RequestParser.words(text)
        var parsed = Parsed()
        parsed.count = RequestParser.count(words, text: text)
        (parsed.city, parsed.state) = RequestParser.place(words)
        parsed.shift = RequestParser.shift(words)
        parsed.day = words.lazy.compactMap { RequestParser.dayNames[$0.lower] }.first
        return parsed
    }

    static func count(_ words: [Word], text: String) -> Int? {
        for (index, word) in words.enumerated() {
            if word.afterDollar { continue }
            let next = index + 1 < words.count ? words[index + 1].lower : ""
            if notCounts.contains(next) { continue }
            // Any head count is reported, however large (the caller decides what it accepts), except a
            // ZIP code: five digits right after a state code ("Toledo, OH 43604").
            if word.lower.allSatisfy(\.isNumber), let value = Int(word.lower), (1...100_000).contains(value),
               !(word.lower.count == 5 && index > 0 && USStates.byCode[words[index - 1].lower.uppercased()] != nil) {
                // "10:30" and "3.5" are times and rates, not head counts.
                if index + 1 < words.count, text.contains(word.original + ":" + words[index + 1].original)
                    || text.contains(word.original + "." + words[index + 1].original) { continue }
                return value
            }
            if let value = numberWords[word.lower] {
                if word.lower == "couple" && !(index > 0 && words[index - 1].lower == "a") { continue }
                if word.lower == "one" && (next == "of" || next == "more") { continue }
                return value
            }
        }
        return nil
    }

    static func place(_ words: [Word]) -> (String?, String?) {
        // A gazetteer city, optionally followed by its state.
        for start in words.indices {
            for (tokens, city) in gazetteerByFirst[words[start].lower] ?? [] where matches(tokens, in: words, at: start) {
                let after = start + tokens.count
                if let (code, _) = state(at: after, in: words, strict: false) {
                    return (city.name, code)
                }
                // "Kansas City" and "Columbia" alone: the gazetteer knows the state.
                return (city.name, city.state)
            }
        }
        // "Springfield, IL": capitalised words right before a state.
        for index in words.indices {
            guard let (code, _) = state(at: index, in: words, strict: true), index > 0 else { continue }
            var first = index
            while first > 0, let initial = words[first - 1].original.first, initial.isUppercase,
                  USStates.byCode[words[first - 1].original] == nil, index - first < 3 {
                first -= 1
                if words[first].afterComma { break }
            }
            if first < index, words[index].afterComma || words[index].original == words[index].original.uppercased() {
                return (words[first..<index].map(\.original).joined(separator: " "), code)
            }
            return (nil, code)
        }
        return (nil, nil)
    }

    /// A state at word `index`: its code and how many words it took. `strict` (no city before it)
    /// accepts a two-letter code only when written in capitals or after a comma, and a full name
    /// anywhere; after a city any spelling is accepted ("toledo, oh").
    static func state(at index: Int, in words: [Word], strict: Bool) -> (String, Int)? {
        guard index < words.count else { return nil }
        let word = words[index]
        if word.lower.count == 2, USStates.byCode[word.lower.uppercased()] != nil {
            if !strict || word.afterComma || word.original == word.original.uppercased() { return (word.lower.uppercased(), 1) }
        }
        for (tokens, code) in stateNamesByFirst[word.lower] ?? [] where matches(tokens, in: words, at: index) {
            return (code, tokens.count)
        }
        return nil
    }

    static func shift(_ words: [Word]) -> String? {
        let lower = words.map(\.lower)
        for (index, word) in lower.enumerated() {
            let next = index + 1 < lower.count ? lower[index + 1] : ""
            let isShift = next == "shift" || next == "shifts"
            switch word {
            case "1st": return "1st"
            case "2nd": return "2nd"
            case "3rd": return "3rd"
            case "first" where isShift: return "1st"
            case "second" where isShift: return "2nd"
            case "third" where isShift: return "3rd"
            case "day" where isShift, "morning" where isShift, "days" where isShift: return "1st"
            case "swing" where isShift, "evening" where isShift, "afternoon" where isShift: return "2nd"
            case "night" where isShift, "overnight", "graveyard", "nights": return "3rd"
            default: continue
            }
        }
        return nil
    }
}
