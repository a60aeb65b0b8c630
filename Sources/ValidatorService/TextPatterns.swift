/// Byte-level helpers for scanning e-mail text (ASCII rules; bytes ≥ 0x80 count as letters, so a
/// word never splits inside a UTF-8 sequence).
enum TextScan {
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b | 0x20 : b }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 97 && (b | 0x20) <= 122 || b >= 0x80 }
    @inline(__always) static func isAlphanumeric(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }
}

/// The patterns EmailValidator looks for, each a pure function over the text's UTF-8 bytes that
/// returns where it matched (byte ranges), so tests can pin exactly what is and is not caught.
enum TextPatterns {
    // MARK: ssn_pattern

    /// `ddd-dd-dddd` with `-`, space or `.` between the groups (mixed too), also with the first
    /// group in parentheses (`(419) 55-0142`, phone-shaped) and inside longer phone-like strings
    /// (`+1-419-55-0142`). Each group must be exactly that long: `419-555-0142` (a phone) and
    /// `2026-11-21` (a date) do not match.
    static func ssnMatches(_ b: [UInt8]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        let n = b.count
        var i = 0
        while i < n {
            guard TextScan.isDigit(b[i]), i == 0 || !TextScan.isDigit(b[i - 1]) else {
                i += 1
                continue
            }
            let end1 = digitsEnd(b, i)
            defer { i = end1 }
            guard end1 - i == 3 else { continue }
            var start = i
            var next = end1
            if i > 0 && b[i - 1] == UInt8(ascii: "("), next < n, b[next] == UInt8(ascii: ")") {
                start = i - 1
                next += 1
                if next < n && b[next] == UInt8(ascii: " ") { next += 1 }
            } else {
                guard next < n, isSeparator(b[next]) else { continue }
                next += 1
            }
            let end2 = digitsEnd(b, next)
            guard end2 - next == 2, end2 < n, isSeparator(b[end2]) else { continue }
            let end3 = digitsEnd(b, end2 + 1)
            guard end3 - (end2 + 1) == 4 else { continue }
            found.append(start..<end3)
        }
        return found
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: ".")
    }

    private static func digitsEnd(_ b: [UInt8], _ start: Int) -> Int {
        var end = start
        while end < b.count && TextScan.isDigit(b[end]) { end += 1 }
        return end
    }

    // MARK: salary_disclosure

    /// Words and phrases that talk about pay wherever they appear (whole words, any case).
    static let payPhrases: [[UInt8]] = [
        "wage", "wages", "salary", "salaries", "salaried", "pay rate", "pay rates", "payrate", "payrates", "rate of pay",
        "hourly rate", "hourly rates", "hourly pay", "hourly wage", "per hour", "per hr", "compensation", "paycheck",
        "take-home pay", "base pay", "overtime pay", "pay scale", "bill rate",
    ].map { Array($0.utf8) }

    /// What turns a number into a pay figure when it follows (`18.5 an hour`, `18.50/hr`, `40k a year`).
    static let rateUnits: [[UInt8]] = [
        "/hr", "/hour", "/h", "/yr", "/year", "/wk", "/week", "an hour", "a hour", "an hr", "per hour", "per hr", "hourly",
        "a year", "per year", "per annum", "annually", "a week", "per week", "dollars", "dollar", "usd", "bucks",
    ].map { Array($0.utf8) }

    /// Pay mentions: a pay phrase, a currency amount (`$18.50`, `$ 18`, `USD 18`), or a number
    /// followed by a rate unit. "hourly shifts", "an hour early" and "8 hours a day" are not pay.
    static func salaryMatches(_ text: [UInt8]) -> [Range<Int>] {
        let b = text.map(TextScan.lower)
        var found: [Range<Int>] = []
        for phrase in payPhrases {
            var from = 0
            while let r = find(phrase, in: b, from: from) {
                if isWordBoundary(b, r) { found.append(r) }
                from = r.lowerBound + 1
            }
        }
        let n = b.count
        var i = 0
        while i < n {
            guard TextScan.isDigit(b[i]), i == 0 || !(TextScan.isDigit(b[i - 1]) || b[i - 1] == UInt8(ascii: ".") || b[i - 1] == UInt8(ascii: ",")) else {
                i += 1
                continue
            }
            // The number: digits with `,` thousands and one `.` fraction.
            var end = i
            while end < n && (TextScan.isDigit(b[end]) || ((b[end] == UInt8(ascii: ",") || b[end] == UInt8(ascii: ".")) && end + 1 < n && TextScan.isDigit(b[end + 1]))) {
                end += 1
            }
            defer { i = end }
            // Before it: `$`, `usd` (spaces allowed between).
            var before = i - 1
            while before >= 0 && b[before] == UInt8(ascii: " ") { before -= 1 }
            if before >= 0 && b[before] == UInt8(ascii: "$") {
                found.append(before..<end)
                continue
            }
            if before >= 2 && b[(before - 2)...before].elementsEqual("usd".utf8) && (before < 3 || !TextScan.isLetter(b[before - 3])) {
                found.append((before - 2)..<end)
                continue
            }
            // After it: an optional `k`, spaces, then a rate unit as whole words.
            var after = end
            if after < n && b[after] == UInt8(ascii: "k") && (after + 1 == n || !TextScan.isLetter(b[after + 1])) { after += 1 }
            while after < n && b[after] == UInt8(ascii: " ") { after += 1 }
            for unit in rateUnits where starts(b, at: after, with: unit) {
                let unitEnd = after + unit.count
                if unitEnd == n || !TextScan.isAlphanumeric(b[unitEnd]) || unit[0] == UInt8(ascii: "/") && !TextScan.isLetter(b[unitEnd]) {
                    found.append(i..<unitEnd)
                    break
                }
            }
        }
        return found.sorted { $0.lowerBound < $1.lowerBound }
    }

    // MARK: phantom_id

    /// Worker ids: `W-` (or `w-`) and digits, as a whole word. The tax forms W-2, W-4 and W-9 are
    /// words a staffing e-mail uses; the caller decides about them.
    static func workerIDs(_ b: [UInt8]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        let n = b.count
        var i = 0
        while i + 2 < n {
            if (b[i] == UInt8(ascii: "W") || b[i] == UInt8(ascii: "w")) && b[i + 1] == UInt8(ascii: "-") && TextScan.isDigit(b[i + 2])
                && (i == 0 || !TextScan.isAlphanumeric(b[i - 1])) {
                let end = digitsEnd(b, i + 2)
                if end == n || !TextScan.isLetter(b[end]) { found.append(i..<end) }
                i = end
            } else {
                i += 1
            }
        }
        return found
    }

    // MARK: contact_leak

    /// Phone-like stretches: digits with spaces, `-`, `.`, `(`, `)` and a leading `+` between them.
    /// Returns each stretch with every 10-digit number inside it (all windows, so `+1 (419)
    /// 555-0142` and `call 3 4195550142` both yield 4195550142).
    static func phoneNumbers(_ b: [UInt8]) -> [(range: Range<Int>, numbers: [UInt64])] {
        var found: [(Range<Int>, [UInt64])] = []
        let n = b.count
        var i = 0
        while i < n {
            guard TextScan.isDigit(b[i]) || ((b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "(")) && i + 1 < n && TextScan.isDigit(b[i + 1])) else {
                i += 1
                continue
            }
            var end = i
            var digits: [UInt8] = []
            while end < n {
                let c = b[end]
                if TextScan.isDigit(c) {
                    digits.append(c - 48)
                } else if !(c == UInt8(ascii: " ") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "(") || c == UInt8(ascii: ")") || c == UInt8(ascii: "+")) {
                    break
                }
                end += 1
            }
            if digits.count >= 10 && digits.count <= 40 {
                var numbers: [UInt64] = []
                for s in 0...(digits.count - 10) {
                    var value: UInt64 = 0
                    for d in digits[s..<(s + 10)] { value = value * 10 + UInt64(d) }
                    numbers.append(value)
                }
                var last = end
                while last > i && !TextScan.isDigit(b[last - 1]) { last -= 1 }
                found.append((i..<last, numbers))
            }
            i = max(end, i + 1)
        }
        return found
    }

    /// E-mail addresses: `local@domain.tld`.
    static func emailAddresses(_ b: [UInt8]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        let n = b.count
        for at in 0..<n where b[at] == UInt8(ascii: "@") {
            var start = at
            while start > 0 && isLocalPart(b[start - 1]) { start -= 1 }
            var end = at + 1
            while end < n && (TextScan.isAlphanumeric(b[end]) && b[end] < 0x80 || b[end] == UInt8(ascii: ".") || b[end] == UInt8(ascii: "-")) { end += 1 }
            while end > at + 1 && b[end - 1] == UInt8(ascii: ".") { end -= 1 }
            guard start < at, end > at + 1, b[(at + 1)..<end].contains(UInt8(ascii: ".")) else { continue }
            found.append(start..<end)
        }
        return found
    }

    private static func isLocalPart(_ c: UInt8) -> Bool {
        TextScan.isAlphanumeric(c) && c < 0x80 || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "%")
            || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
    }

    // MARK: name_consistency

    /// Two or three consecutive capitalised words separated by single spaces ("Maria Lopez",
    /// "Mary Ann Smith"), every such window of a longer run: the places a full name can be.
    static func capitalisedNames(_ b: [UInt8]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var found: [Range<Int>] = []
        func flush() {
            if words.count >= 2 {
                for s in 0..<(words.count - 1) {
                    found.append(words[s].lowerBound..<words[s + 1].upperBound)
                    if s + 2 < words.count { found.append(words[s].lowerBound..<words[s + 2].upperBound) }
                }
            }
            words.removeAll(keepingCapacity: true)
        }
        let n = b.count
        var i = 0
        while i < n {
            guard TextScan.isLetter(b[i]) else {
                if !(b[i] == UInt8(ascii: " ") && !words.isEmpty && words.last!.upperBound == i) { flush() }
                i += 1
                continue
            }
            var end = i
            while end < n && (TextScan.isLetter(b[end]) || ((b[end] == UInt8(ascii: "'") || b[end] == UInt8(ascii: "-")) && end + 1 < n && TextScan.isLetter(b[end + 1]))) {
                end += 1
            }
            let capital = TextScan.isUpper(b[i]) || b[i] >= 0xC0
            if capital && (words.isEmpty || words.last!.upperBound + 1 == i) {
                words.append(i..<end)
            } else {
                flush()
                if capital { words.append(i..<end) }
            }
            i = end
        }
        flush()
        return found
    }

    // MARK: helpers

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Range<Int>? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var i = from
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first && starts(haystack, at: i, with: needle) { return i..<(i + needle.count) }
            i += 1
        }
        return nil
    }

    static func starts(_ b: [UInt8], at i: Int, with prefix: [UInt8]) -> Bool {
        guard i + prefix.count <= b.count else { return false }
        for k in 0..<prefix.count where b[i + k] != prefix[k] { return false }
        return true
    }

    static func isWordBoundary(_ b: [UInt8], _ r: Range<Int>) -> Bool {
        (r.lowerBound == 0 || !TextScan.isAlphanumeric(b[r.lowerBound - 1])) && (r.upperBound == b.count || !TextScan.isAlphanumeric(b[r.upperBound]))
    }

    /// Whether `needle` occurs in `haystack` as whole words.
    static func containsWords(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        var from = 0
        while let r = find(needle, in: haystack, from: from) {
            if isWordBoundary(haystack, r) { return true }
            from = r.lowerBound + 1
        }
        return false
    }
}
