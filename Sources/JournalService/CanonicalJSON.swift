import Glibc
import LakehouseKit

/// A JSON value as RFC 8785 (JSON Canonicalization Scheme) sees it: numbers are IEEE 754 doubles,
/// object members keep their names for sorting. Parsed by `CanonicalJSON.parse`, which refuses
/// what JCS cannot represent (duplicate names, numbers a double cannot hold exactly).
public indirect enum CanonicalValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([CanonicalValue])
    case object([(String, CanonicalValue)])

    public static func == (a: CanonicalValue, b: CanonicalValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }
}

/// RFC 8785 canonical JSON, written here: members sorted by the UTF-16 code units of their names,
/// no whitespace, strings escaped as ECMAScript's JSON.stringify does, numbers in ECMAScript's
/// Number.prototype.toString form (RFC 8785 §3.2.2.3).
public enum CanonicalJSON {
    /// Why a body cannot be canonicalized (the message becomes a 400).
    public struct Refusal: Error, Sendable, CustomStringConvertible, JSONReaderFailure {
        let message: String
        /// For a refusal of one value: where it sits below the document (".events[0].payload"),
        /// filled in as the error unwinds, so that no path is built while nothing is wrong.
        var path: String?
        public var description: String { path.map { "body\($0): \(message)" } ?? message }
        public init(_ description: String) { message = description }
        public static func syntax(_ message: String) -> Refusal { Refusal(message) }
        static func located(_ message: String) -> Refusal {
            var refusal = Refusal(message)
            refusal.path = ""
            return refusal
        }

        func inside(_ step: String) -> Refusal {
            guard let path else { return self }
            var refusal = self
            refusal.path = step + path
            return refusal
        }
    }

    // MARK: - Parsing

    /// Parses one JSON document strictly (RFC 8259), keeping what canonicalization needs.
    public static func parse(_ bytes: [UInt8]) throws(Refusal) -> CanonicalValue {
        do {
            return try bytes.withUnsafeBytes { raw in
                var reader = JSONReader<Refusal>(raw)
                let value = try readValue(&reader, raw, depth: 0)
                try reader.expectEnd()
                return value
            }
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw Refusal("body is not valid JSON")
        }
    }

    /// Reads one value at the reader's position (used by the event batch decoder too).
    static func readValue(_ reader: inout JSONReader<Refusal>, _ raw: UnsafeRawBufferPointer, depth: Int) throws(Refusal) -> CanonicalValue {
        guard depth < JSONReader<Refusal>.maxDepth else { throw Refusal.located("nesting deeper than \(JSONReader<Refusal>.maxDepth)") }
        switch try reader.peekKind() {
        case .null:
            try reader.readNull()
            return .null
        case .bool: return .bool(try reader.readBool())
        case .string: return .string(try reader.readString())
        case .number:
            let start = reader.offset
            _ = try reader.readNumber()
            return .number(try number(UnsafeRawBufferPointer(rebasing: raw[start..<reader.offset])))
        case .array:
            var items: [CanonicalValue] = []
            try reader.readArray { (index, r) throws(Refusal) in
                do throws(Refusal) {
                    items.append(try readValue(&r, raw, depth: depth + 1))
                } catch {
                    throw error.inside("[\(index)]")
                }
            }
            return .array(items)
        case .object:
            var members: [(String, CanonicalValue)] = []
            var seen = Set<String>()
            try reader.readObject { (key, r) throws(Refusal) in
                // RFC 8785 §3.1 (I-JSON, RFC 7493 §2.3): member names must be unique.
                guard seen.insert(key).inserted else { throw Refusal.located("duplicate member name '\(key)'") }
                do throws(Refusal) {
                    members.append((key, try readValue(&r, raw, depth: depth + 1)))
                } catch {
                    throw error.inside(".\(key)")
                }
            }
            return .object(members)
        }
    }

    /// The double a JSON number denotes, refused unless the double is exactly that decimal value
    /// as far as canonical form can tell: its ECMAScript form must denote the same number as the
    /// text (so `0.1`, `1.0`, `1e2` pass; `12345678901234567890`, `1e400`, `1e-400` do not).
    static func number(_ text: UnsafeRawBufferPointer) throws(Refusal) -> Double {
        if let value = plainNumber(text) { return value }
        let string = String(decoding: text, as: UTF8.self)
        let value = string.withCString { strtod($0, nil) }
        guard value.isFinite, let formatted = ecmaScriptString(value), normalizedDecimal(string) == normalizedDecimal(formatted) else {
            throw Refusal.located("the number \(string) cannot be represented exactly as an IEEE 754 double (RFC 8785 §3.2.2.3)")
        }
        return value
    }

    /// The fast path of `number` for text that already is in ECMAScript form with at most 15
    /// significant digits (most numbers an event carries: counts, timings, coordinates): any such
    /// decimal round-trips through a double (DBL_DIG = 15), so it is exact and canonical as it is.
    /// Nil sends everything else (exponents, "1.0", "-0", tiny or long numbers) to the full check.
    static func plainNumber(_ text: UnsafeRawBufferPointer) -> Double? {
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let count = text.count
        var i = 0
        let negative = count > 0 && text[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        guard i < count, isDigit(text[i]) else { return nil }
        let integerStart = i
        if text[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < count && isDigit(text[i]) { i += 1 }
        }
        var significant = text[integerStart] == UInt8(ascii: "0") ? 0 : i - integerStart
        if i < count && text[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < count && isDigit(text[i]) { i += 1 }
            guard i > fractionStart, text[i - 1] != UInt8(ascii: "0") else { return nil }
            if significant == 0 {
                // 0.000001 is ECMAScript's smallest plain form; 0.0000001 prints as 1e-7.
                var firstNonZero = fractionStart
                while text[firstNonZero] == UInt8(ascii: "0") { firstNonZero += 1 }
                guard firstNonZero - fractionStart <= 5 else { return nil }
                significant = i - firstNonZero
            } else {
                significant += i - fractionStart
            }
        } else if significant == 0 && negative {
            return nil
        }
        guard i == count, significant <= 15 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for j in 0..<count { buffer[j] = CChar(bitPattern: text[j]) }
            buffer[count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// A decimal numeral reduced to (significant digits, exponent n) with value 0.digits × 10^n;
    /// zero is ("", 0) whatever its sign.
    static func normalizedDecimal(_ text: String) -> (String, Int) {
        var s = Substring(text)
        if s.first == "-" { s = s.dropFirst() }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var expText = s[s.index(after: e)...]
            var negative = false
            if expText.first == "+" || expText.first == "-" {
                negative = expText.first == "-"
                expText = expText.dropFirst()
            }
            // Clamp absurd exponents; such numbers are refused anyway (they are not finite doubles).
            let magnitude = expText.count > 7 ? 10_000_000 : Int(expText) ?? 0
            exponent = negative ? -magnitude : magnitude
            s = s[..<e]
        }
        let point = s.firstIndex(of: ".")
        let integerPart = point.map { s[..<$0] } ?? s
        let fraction = point.map { s[s.index(after: $0)...] } ?? ""
        var digits = Array(integerPart.utf8) + Array(fraction.utf8)
        var n = integerPart.count + exponent
        var lead = 0
        while lead < digits.count && digits[lead] == UInt8(ascii: "0") { lead += 1 }
        if lead == digits.count { return ("", 0) }
        n -= lead
        digits.removeFirst(lead)
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (String(decoding: digits, as: UTF8.self), n)
    }

    /// ECMAScript Number.prototype.toString (ECMA-262 §6.1.6.1.20) of a finite double; nil for NaN
    /// and infinities. Swift's `description` supplies the shortest round-tripping digits.
    public static func ecmaScriptString(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        if value == 0 { return "0" }
        // Fast paths, where ECMAScript and Swift print the same shortest digits in plain form.
        let magnitude = value.magnitude
        if magnitude < 1e15 {
            if value == value.rounded() { return String(Int64(value)) }
            if magnitude >= 1e-4 { return value.description }
        }
        let (digits, n) = normalizedDecimal(value.magnitude.description)
        let k = digits.count
        var out = value < 0 ? "-" : ""
        if k <= n && n <= 21 {
            out += digits + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            out += digits.prefix(n) + "." + digits.dropFirst(n)
        } else if -6 < n && n <= 0 {
            out += "0." + String(repeating: "0", count: -n) + digits
        } else {
            let e = n - 1
            let mantissa = k == 1 ? digits : digits.prefix(1) + "." + digits.dropFirst(1)
            out += mantissa + "e" + (e < 0 ? "-" : "+") + String(e.magnitude)
        }
        return out
    }

    // MARK: - Writing

    /// The canonical bytes of a value.
    public static func serialize(_ value: CanonicalValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, to: &out)
        return out
    }

    public static func write(_ value: CanonicalValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let d): out.append(contentsOf: (ecmaScriptString(d) ?? "null").utf8)
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // RFC 8785 §3.2.3: sort by the names' UTF-16 code units, compared as unsigned integers.
            let sorted = members.sorted { $0.0.utf16.lexicographicallyPrecedes($1.0.utf16) }
            for (i, member) in sorted.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.0, to: &out)
                out.append(UInt8(ascii: ":"))
                write(member.1, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// RFC 8785 §3.2.2.2: `"` and `\` escaped, U+0008/9/A/C/D as \b \t \n \f \r, other controls as
    /// \u00xx (lowercase hex), everything else as its UTF-8 bytes.
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
