/// The fast path of roster loading: reads a plain roster line (ASCII strings without escapes, the
/// fifteen `Worker` fields once each, simple decimal numbers) as byte views, with no allocation.
/// Anything else — escapes, non-ASCII text, unknown or repeated fields, exponents, a syntax
/// error — returns nil and the line goes through the strict reader (`RosterFile.parseLine`),
/// which accepts every valid line and names what is wrong with an invalid one.
enum RosterLineScanner {
    private static let keys: [[UInt8]] = ["id", "name", "role", "skills", "certifications", "city", "state", "lat", "lon", "shifts", "days",
                                          "pay_rate", "status", "phone", "email"].map { Array($0.utf8) }
    fileprivate static let powers: [Double] = (0...15).map { var p = 1.0; for _ in 0..<$0 { p *= 10 }; return p }

    /// A position in one line; its methods read one value each (a struct, not captured locals, so
    /// the compiler checks exclusive access statically instead of at every byte).
    private struct Cursor {
        let line: UnsafeRawBufferPointer
        var p = 0
        var n: Int { line.count }

        init(_ line: UnsafeRawBufferPointer) {
            self.line = line
        }

        @inline(__always) mutating func skipSpace() {
            while p < n && (line[p] == 0x20 || line[p] == 0x09 || line[p] == 0x0D) { p += 1 }
        }

        mutating func plainString() -> UnsafeRawBufferPointer? {
            guard p < n, line[p] == UInt8(ascii: "\"") else { return nil }
            let start = p + 1
            var end = start
            while end < n {
                let byte = line[end]
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
                end += 1
            }
            guard end < n else { return nil }
            p = end + 1
            return UnsafeRawBufferPointer(rebasing: line[start..<end])
        }

        mutating func plainArray() -> UnsafeRawBufferPointer? {
            guard p < n, line[p] == UInt8(ascii: "[") else { return nil }
            let start = p
            var end = p + 1
            var inString = false
            while end < n {
                let byte = line[end]
                if inString {
                    if byte == UInt8(ascii: "\"") { inString = false } else if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == UInt8(ascii: "]") {
                    break
                } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                    return nil
                }
                end += 1
            }
            guard end < n else { return nil }
            p = end + 1
            return UnsafeRawBufferPointer(rebasing: line[start..<p])
        }

        mutating func number(_ range: ClosedRange<Double>) -> Double? {
            var negative = false
            if p < n && line[p] == UInt8(ascii: "-") {
                negative = true
                p += 1
            }
            guard p < n, TextScan.isDigit(line[p]) else { return nil }
            if line[p] == UInt8(ascii: "0") && p + 1 < n && TextScan.isDigit(line[p + 1]) { return nil }
            var mantissa: UInt64 = 0
            var digits = 0
            var fraction = 0
            while p < n && TextScan.isDigit(line[p]) {
                mantissa = mantissa * 10 + UInt64(line[p] - 48)
                digits += 1
                p += 1
            }
            if p < n && line[p] == UInt8(ascii: ".") {
                p += 1
                guard p < n, TextScan.isDigit(line[p]) else { return nil }
                while p < n && TextScan.isDigit(line[p]) {
                    mantissa = mantissa * 10 + UInt64(line[p] - 48)
                    digits += 1
                    fraction += 1
                    p += 1
                }
            }
            guard digits <= 15, p < n, line[p] != UInt8(ascii: "e"), line[p] != UInt8(ascii: "E") else { return nil }
            // Exact integer over an exact power of ten: one correctly rounded division.
            let value = (negative ? -Double(mantissa) : Double(mantissa)) / RosterLineScanner.powers[fraction]
            return range.contains(value) ? value : nil
        }
    }

    static func scan(_ line: UnsafeRawBufferPointer) -> RawWorker? {
        var c = Cursor(line)
        c.skipSpace()
        guard c.p < c.n, line[c.p] == UInt8(ascii: "{") else { return nil }
        c.p += 1
        var w = RawWorker()
        var seen: UInt16 = 0
        while true {
            c.skipSpace()
            guard let key = c.plainString(), let field = field(key), seen & (1 << UInt16(field)) == 0 else { return nil }
            seen |= 1 << UInt16(field)
            c.skipSpace()
            guard c.p < c.n, line[c.p] == UInt8(ascii: ":") else { return nil }
            c.p += 1
            c.skipSpace()
            switch field {
            case 0: guard let v = c.plainString() else { return nil }; w.id = v
            case 1: guard let v = c.plainString() else { return nil }; w.name = v
            case 2: guard let v = c.plainString() else { return nil }; w.role = v
            case 3: guard let v = c.plainArray() else { return nil }; w.skills = v
            case 4: guard let v = c.plainArray() else { return nil }; w.certifications = v
            case 5: guard let v = c.plainString() else { return nil }; w.city = v
            case 6: guard let v = c.plainString() else { return nil }; w.state = v
            case 7: guard let v = c.number(-90...90) else { return nil }; w.lat = v
            case 8: guard let v = c.number(-180...180) else { return nil }; w.lon = v
            case 9: guard let v = c.plainArray() else { return nil }; w.shifts = v
            case 10: guard let v = c.plainArray() else { return nil }; w.days = v
            case 11: guard let v = c.number(0...1_000_000) else { return nil }; w.payRate = v
            case 12: guard let v = c.plainString() else { return nil }; w.status = v
            case 13: guard let v = c.plainString() else { return nil }; w.phone = v
            default: guard let v = c.plainString() else { return nil }; w.email = v
            }
            c.skipSpace()
            guard c.p < c.n else { return nil }
            if line[c.p] == UInt8(ascii: ",") {
                c.p += 1
                continue
            }
            guard line[c.p] == UInt8(ascii: "}") else { return nil }
            c.p += 1
            break
        }
        c.skipSpace()
        guard c.p == c.n, seen == (1 << UInt16(keys.count)) - 1 else { return nil }
        return w
    }

    /// The field number of a key (`keys` order), or nil for a key this scanner does not take.
    private static func field(_ key: UnsafeRawBufferPointer) -> Int? {
        guard let first = key.first else { return nil }
        let candidate: Int
        switch (key.count, first) {
        case (2, UInt8(ascii: "i")): candidate = 0
        case (4, UInt8(ascii: "n")): candidate = 1
        case (4, UInt8(ascii: "r")): candidate = 2
        case (6, UInt8(ascii: "s")): candidate = key[1] == UInt8(ascii: "k") ? 3 : key[1] == UInt8(ascii: "h") ? 9 : 12
        case (14, UInt8(ascii: "c")): candidate = 4
        case (4, UInt8(ascii: "c")): candidate = 5
        case (5, UInt8(ascii: "s")): candidate = 6
        case (3, UInt8(ascii: "l")): candidate = key[1] == UInt8(ascii: "a") ? 7 : 8
        case (4, UInt8(ascii: "d")): candidate = 10
        case (8, UInt8(ascii: "p")): candidate = 11
        case (5, UInt8(ascii: "p")): candidate = 13
        case (5, UInt8(ascii: "e")): candidate = 14
        default: return nil
        }
        return keys[candidate].elementsEqual(key) ? candidate : nil
    }
}
