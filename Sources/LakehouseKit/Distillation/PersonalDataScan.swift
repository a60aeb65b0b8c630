/// The export scan (SPEC §6: no SSN shape, no pay figure, no worker phone or e-mail in any sample).
/// Deliberately generic, needing no roster: any 9-digit SSN shape, any dollar amount or figure per
/// hour/year, a pay word followed by a figure, any e-mail address, any North-American phone shape.
/// Stricter than validatord's rules on purpose: it guards training data, where a false positive
/// costs one sample and a false negative leaks a person's data into a model.
///
/// A hand-written scanner over UTF-8 (the regular expressions it implements are in the comments;
/// `Tests/Python/check_exports.py` checks the exports with those expressions, independently).
public enum PersonalDataScan {
    public enum Finding: String, Codable, Sendable, Hashable, CaseIterable {
        case ssnShape = "ssn_shape"
        case payFigure = "pay_figure"
        case emailAddress = "email_address"
        case phoneNumber = "phone_number"
    }

    /// Every kind of personal data found in `text` (empty when clean), in `Finding` order.
    public static func findings(in text: String) -> [Finding] {
        var text = text
        return text.withUTF8 { bytes in
            var found: [Finding] = []
            if containsSSN(bytes) { found.append(.ssnShape) }
            if containsPay(bytes) { found.append(.payFigure) }
            if containsEmail(bytes) { found.append(.emailAddress) }
            if containsPhone(bytes) { found.append(.phoneNumber) }
            return found
        }
    }

    public static func isClean(_ text: String) -> Bool { findings(in: text).isEmpty }

    /// SSN shape or dollar amount or e-mail address: the scorer's narrow check of a client e-mail.
    public static func containsSSNPayOrEmail(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in containsSSN(bytes) || containsDollar(bytes) || containsEmail(bytes) }
    }

    typealias Bytes = UnsafeBufferPointer<UInt8>

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    static func digitBefore(_ s: Bytes, _ i: Int) -> Bool { i > 0 && isDigit(s[i - 1]) }

    /// `n` digits at `i`; returns the index after them or nil.
    static func digits(_ s: Bytes, _ i: Int, _ n: Int) -> Int? {
        guard i + n <= s.count else { return nil }
        for k in i..<(i + n) where !isDigit(s[k]) { return nil }
        return i + n
    }

    static func separator(_ s: Bytes, _ i: Int, _ allowed: [UInt8]) -> Int {
        i < s.count && allowed.contains(s[i]) ? i + 1 : i
    }

    /// `(?<![0-9])[0-9]{3}[-. ]?[0-9]{2}[-. ]?[0-9]{4}(?![0-9])`
    static func containsSSN(_ s: Bytes) -> Bool {
        let seps = separators
        for i in 0..<s.count where isDigit(s[i]) && !digitBefore(s, i) {
            guard var j = digits(s, i, 3) else { continue }
            j = separator(s, j, seps)
            guard var k = digits(s, j, 2) else { continue }
            k = separator(s, k, seps)
            guard let end = digits(s, k, 4) else { continue }
            if end == s.count || !isDigit(s[end]) { return true }
        }
        return false
    }

    /// `\$\s?[0-9]`
    static func containsDollar(_ s: Bytes) -> Bool {
        for i in 0..<s.count where s[i] == 0x24 {
            var j = i + 1
            if j < s.count && isSpace(s[j]) { j += 1 }
            if j < s.count && isDigit(s[j]) { return true }
        }
        return false
    }

    static func lower(_ s: Bytes, _ i: Int, _ w: [UInt8]) -> Bool {
        guard i + w.count <= s.count else { return false }
        for k in 0..<w.count where (s[i + k] | (isLetter(s[i + k]) ? 0x20 : 0)) != w[k] { return false }
        return true
    }

    static func wordEnds(_ s: Bytes, _ i: Int) -> Bool { i >= s.count || !(isLetter(s[i]) || isDigit(s[i]) || s[i] == 0x5F) }

    /// `\$\s?[0-9]`, or a figure `(?<![A-Za-z0-9-])[0-9][0-9,]*(\.[0-9]+)?\s*` followed by
    /// `/\s?(hr|hour|h|yr|year)\b` or `(dollars|usd|per hour|an hour|hourly|per year|a year|k a year)\b`
    /// (any case), or a pay word `\b(pay|rate|wage|wages|salary|earn|earns|paid)\b` followed within
    /// 24 characters without `.`, newline or digit by a digit.
    static let units = ["dollars", "usd", "per hour", "an hour", "hourly", "per year", "a year", "k a year"].map { Array($0.utf8) }
    static let slashUnits = ["hour", "year", "hr", "yr", "h"].map { Array($0.utf8) }
    static let words = ["salary", "wages", "earns", "wage", "earn", "paid", "pay", "rate"].map { Array($0.utf8) }
    static let separators: [UInt8] = [0x2D, 0x2E, 0x20]
    /// First letters of `words` (lowercase): most words start with none of them and skip the comparisons.
    static let wordInitials = WordInitials(words)

    struct WordInitials {
        private var bits: (UInt64, UInt64) = (0, 0)
        init(_ words: [[UInt8]]) {
            for word in words where !word.isEmpty { word[0] < 64 ? (bits.0 |= 1 << UInt64(word[0])) : (bits.1 |= 1 << UInt64(word[0] & 63)) }
        }
        func contains(_ byte: UInt8) -> Bool {
            byte < 64 ? bits.0 & (1 << UInt64(byte)) != 0 : byte < 128 && bits.1 & (1 << UInt64(byte & 63)) != 0
        }
    }

    static func containsPay(_ s: Bytes) -> Bool {
        if containsDollar(s) { return true }
        var i = 0
        while i < s.count {
            let b = s[i]
            if isDigit(b) && !(i > 0 && (isLetter(s[i - 1]) || isDigit(s[i - 1]) || s[i - 1] == 0x2D)) {
                var j = i
                while j < s.count && (isDigit(s[j]) || s[j] == 0x2C) { j += 1 }
                if j + 1 < s.count && s[j] == 0x2E && isDigit(s[j + 1]) {
                    j += 1
                    while j < s.count && isDigit(s[j]) { j += 1 }
                }
                while j < s.count && isSpace(s[j]) { j += 1 }
                if j < s.count && s[j] == 0x2F {
                    var k = j + 1
                    if k < s.count && isSpace(s[k]) { k += 1 }
                    if slashUnits.contains(where: { lower(s, k, $0) && wordEnds(s, k + $0.count) }) { return true }
                }
                if units.contains(where: { lower(s, j, $0) && wordEnds(s, j + $0.count) }) { return true }
                i = max(i + 1, j)
                continue
            }
            if isLetter(b) && wordInitials.contains(b | 0x20) && !(i > 0 && (isLetter(s[i - 1]) || isDigit(s[i - 1]) || s[i - 1] == 0x5F)) {
                if let word = words.first(where: { lower(s, i, $0) && wordEnds(s, i + $0.count) }) {
                    var k = i + word.count
                    var scanned = 0
                    while k < s.count && scanned <= 24 {
                        if isDigit(s[k]) { return true }
                        if s[k] == 0x2E || s[k] == 0x0A { break }
                        k += 1
                        scanned += 1
                    }
                }
            }
            i += 1
        }
        return false
    }

    static func isLocal(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) || b == 0x2E || b == 0x5F || b == 0x25 || b == 0x2B || b == 0x2D }
    static func isLabel(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) || b == 0x2D }

    /// `[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`
    static func containsEmail(_ s: Bytes) -> Bool {
        for at in 0..<s.count where s[at] == 0x40 {
            guard at > 0, isLocal(s[at - 1]) else { continue }
            // First label, then '.'-separated labels; some later label must start with two letters.
            var j = at + 1
            var labelStart = j
            var labels = 0
            while j <= s.count {
                if j < s.count && isLabel(s[j]) { j += 1; continue }
                guard j > labelStart else { break }
                if labels > 0 && labelStart + 1 < s.count && isLetter(s[labelStart]) && isLetter(s[labelStart + 1]) { return true }
                labels += 1
                guard j < s.count, s[j] == 0x2E else { break }
                j += 1
                labelStart = j
            }
        }
        return false
    }

    /// `(?<![0-9])(\+?1[-. ]?)?(\([0-9]{3}\)\s?|[0-9]{3}[-. ])[0-9]{3}[-. ][0-9]{4}(?![0-9])`
    /// or `(?<![0-9-])[0-9]{3}-[0-9]{4}(?![0-9])`
    static func containsPhone(_ s: Bytes) -> Bool {
        let seps = separators
        func body(_ start: Int) -> Bool {
            var j = start
            if j < s.count && s[j] == 0x28 {
                guard let k = digits(s, j + 1, 3), k < s.count, s[k] == 0x29 else { return false }
                j = k + 1
                if j < s.count && isSpace(s[j]) { j += 1 }
            } else {
                guard let k = digits(s, j, 3), k < s.count, seps.contains(s[k]) else { return false }
                j = k + 1
            }
            guard let k = digits(s, j, 3), k < s.count, seps.contains(s[k]), let end = digits(s, k + 1, 4) else { return false }
            return end == s.count || !isDigit(s[end])
        }
        for i in 0..<s.count where !digitBefore(s, i) {
            let b = s[i]
            guard isDigit(b) || b == 0x2B || b == 0x28 else { continue }
            if body(i) { return true }
            var j = i
            if j < s.count && s[j] == 0x2B { j += 1 }
            if j < s.count && s[j] == 0x31 && !(j > i && false) {
                j += 1
                let withSep = separator(s, j, seps)
                if body(withSep) || (withSep != j && body(j)) { return true }
            }
            if isDigit(b) && !(i > 0 && s[i - 1] == 0x2D), let k = digits(s, i, 3), k < s.count, s[k] == 0x2D,
               let end = digits(s, k + 1, 4), end == s.count || !isDigit(s[end]) {
                return true
            }
        }
        return false
    }
}
