import Glibc

/// What a `JSONReader` throws for malformed JSON: each caller's own error type (embedd's
/// `EmbedError`, a handler's `APIError`), so the reader never needs mapping at the call site.
public protocol JSONReaderFailure: Error {
    static func syntax(_ message: String) -> Self
}

extension APIError: JSONReaderFailure {
    public static func syntax(_ message: String) -> APIError { .badRequest(message) }
}

/// The kinds of JSON value, as `JSONReader.peekKind` reports them.
public enum JSONKind: Equatable, Sendable {
    case object, array, string, number, bool, null
}

/// A small strict JSON reader (RFC 8259) over raw body bytes, for hot request paths.
///
/// Why not JSONDecoder: request decoding is on the warm path (thousands of requests a second on two
/// cores), and a reader that pulls exactly the fields it needs, allocating nothing but the strings it
/// returns, costs a fraction of building a decoder tree. It also lets errors say precisely what is
/// wrong ("texts[3] is a number, not a string") instead of a decoder's coding path.
///
/// Everything it accepts is valid JSON: unknown values are skipped but still fully checked, strings
/// must be valid UTF-8 without raw control characters or lone surrogates, nesting is capped.
public struct JSONReader<Failure: JSONReaderFailure> {
    public typealias Kind = JSONKind

    public static var maxDepth: Int { 64 }

    private let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    /// The byte offset of the next unread byte (e.g. to take a number's exact text after `readNumber`).
    public var offset: Int { position }

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    // MARK: - Structure

    /// Reads an object, calling `field` with each key; `field` must consume the value.
    public mutating func readObject(_ field: (String, inout JSONReader) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peekByte == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            guard peekByte == UInt8(ascii: "\"") else { throw syntax("expected a field name") }
            let key = try readString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try field(key, &self)
            skipWhitespace()
            switch peekByte {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return
            default: throw syntax("expected ',' or '}'")
            }
        }
    }

    /// Reads an array, calling `element` with each index; `element` must consume the value.
    public mutating func readArray(_ element: (Int, inout JSONReader) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if peekByte == UInt8(ascii: "]") {
            position += 1
            return
        }
        var index = 0
        while true {
            skipWhitespace()
            try element(index, &self)
            index += 1
            skipWhitespace()
            switch peekByte {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return
            default: throw syntax("expected ',' or ']'")
            }
        }
    }

    /// The kind of the value at the current position (after whitespace), or a syntax error.
    public mutating func peekKind() throws(Failure) -> Kind {
        skipWhitespace()
        guard let byte = peekByte else { throw syntax("unexpected end of body") }
        switch byte {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: throw syntax("expected a value")
        }
    }

    /// Checks and skips any value: exactly what reading it accepts and refuses, with the same
    /// errors, but without building its keys and strings (no closure per member, no allocation
    /// unless a string holds an escape or non-ASCII bytes).
    public mutating func skipValue(depth: Int = 0) throws(Failure) {
        guard depth < Self.maxDepth else { throw syntax("nesting deeper than \(Self.maxDepth)") }
        switch try peekKind() {
        case .object: try skipMembers(closing: UInt8(ascii: "}"), keyed: true, depth: depth)
        case .array: try skipMembers(closing: UInt8(ascii: "]"), keyed: false, depth: depth)
        case .string: try skipString()
        case .number: _ = try readNumber()
        case .bool: _ = try readBool()
        case .null: try readNull()
        }
    }

    /// The members of an object (`keyed`) or the elements of an array, the opening byte first.
    private mutating func skipMembers(closing: UInt8, keyed: Bool, depth: Int) throws(Failure) {
        position += 1
        skipWhitespace()
        if peekByte == closing {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            if keyed {
                guard peekByte == UInt8(ascii: "\"") else { throw syntax("expected a field name") }
                try skipString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
            }
            try skipValue(depth: depth + 1)
            skipWhitespace()
            if peekByte == UInt8(ascii: ",") {
                position += 1
            } else if peekByte == closing {
                position += 1
                return
            } else {
                throw syntax(keyed ? "expected ',' or '}'" : "expected ',' or ']'")
            }
        }
    }

    /// `readString` without the `String`: an ASCII string without escapes is only scanned.
    private mutating func skipString() throws(Failure) {
        try expect(UInt8(ascii: "\""))
        let start = position
        var ascii = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                if !ascii { _ = try makeString(UnsafeRawBufferPointer(rebasing: bytes[start..<position])) }
                position += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                _ = try readEscapedString(from: start)
                return
            }
            if byte < 0x20 { throw syntax("control character in a string (it must be escaped)") }
            if byte >= 0x80 { ascii = false }
            position += 1
        }
        throw syntax("unterminated string")
    }

    /// After the top-level value only whitespace may follow.
    public mutating func expectEnd() throws(Failure) {
        skipWhitespace()
        guard position == bytes.count else { throw syntax("unexpected data after the JSON value") }
    }

    // MARK: - Scalars

    public mutating func readBool() throws(Failure) -> Bool {
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw syntax("expected true or false")
    }

    public mutating func readNull() throws(Failure) {
        guard matchLiteral("null") else { throw syntax("expected null") }
    }

    /// Reads a number (full JSON grammar); returns its value, or nil when it is not an integer that
    /// fits in an `Int` (the only numbers the requests need are integers).
    public mutating func readNumber() throws(Failure) -> Int? {
        var integer = true
        var value = 0
        var overflow = false
        let negative = peekByte == UInt8(ascii: "-")
        if negative { position += 1 }
        guard let first = peekByte, isDigit(first) else { throw syntax("expected a digit") }
        if first == UInt8(ascii: "0") {
            position += 1
        } else {
            while let byte = peekByte, isDigit(byte) {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                value = sum
                position += 1
            }
        }
        if peekByte == UInt8(ascii: ".") {
            integer = false
            position += 1
            guard let byte = peekByte, isDigit(byte) else { throw syntax("expected a digit after '.'") }
            while let byte = peekByte, isDigit(byte) { position += 1 }
        }
        if peekByte == UInt8(ascii: "e") || peekByte == UInt8(ascii: "E") {
            integer = false
            position += 1
            if peekByte == UInt8(ascii: "+") || peekByte == UInt8(ascii: "-") { position += 1 }
            guard let byte = peekByte, isDigit(byte) else { throw syntax("expected a digit in the exponent") }
            while let byte = peekByte, isDigit(byte) { position += 1 }
        }
        guard integer, !overflow else { return nil }
        return negative ? -value : value
    }

    /// Reads a string value, unescaped, as valid UTF-8.
    public mutating func readString() throws(Failure) -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let string = try makeString(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
                position += 1
                return string
            }
            if byte == UInt8(ascii: "\\") { return try readEscapedString(from: start) }
            if byte < 0x20 { throw syntax("control character in a string (it must be escaped)") }
            position += 1
        }
        throw syntax("unterminated string")
    }

    // MARK: - Internals

    private var peekByte: UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        guard peekByte == byte else {
            throw syntax(position < bytes.count ? "expected '\(Character(Unicode.Scalar(byte)))'" : "unexpected end of body")
        }
        position += 1
    }

    private mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for i in 0..<count where bytes[position + i] != literal.utf8Start[i] { return false }
        position += count
        return true
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func makeString(_ raw: UnsafeRawBufferPointer) throws(Failure) -> String {
        // ASCII (most keys and values) needs no validation; `String(validating:)` costs a generic
        // metadata lookup per call, which showed in distillation's profiles (hundreds of thousands of strings).
        if raw.allSatisfy({ $0 < 0x80 }) { return String(decoding: raw, as: UTF8.self) }
        guard let string = String(validating: raw, as: UTF8.self) else { throw syntax("string is not valid UTF-8") }
        return string
    }

    /// The slow path, from the first backslash on: unescape into a buffer.
    private mutating func readEscapedString(from start: Int) throws(Failure) -> String {
        var buffer = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            // A run of bytes that need no unescaping is copied whole (a byte at a time dominated
            // chatd's profile: a prompt is a JSON document inside a JSON string, quotes escaped).
            let run = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                position += 1
            }
            if run < position { buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run..<position])) }
            guard position < bytes.count else { break }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: buffer, as: UTF8.self) else {
                    throw syntax("string is not valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                guard let escape = peekByte else { throw syntax("unterminated string") }
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escape)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try readHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        // A high surrogate must be followed by an escaped low one (RFC 8259 §7).
                        guard matchLiteral("\\u") else { throw syntax("lone surrogate in \\u escape") }
                        let low = try readHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw syntax("lone surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw syntax("lone surrogate in \\u escape")
                    }
                    buffer.append(contentsOf: Unicode.Scalar(scalar).map { Array(String($0).utf8) } ?? [])
                default:
                    throw syntax("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
            default:
                if byte < 0x20 { throw syntax("control character in a string (it must be escaped)") }
                buffer.append(byte)
            }
        }
        throw syntax("unterminated string")
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw syntax("unterminated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw syntax("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private func syntax(_ message: String) -> Failure {
        .syntax("body is not valid JSON: \(message) at byte \(position)")
    }

    // MARK: - Numbers and whole values

    /// Reads any JSON number as a Double (strtod on the validated digits; no String allocated).
    public mutating func readDouble() throws(Failure) -> Double {
        let start = position
        _ = try readNumber()
        let length = position - start
        if length < 63 {
            return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
                for i in 0..<length { buffer[i] = CChar(bitPattern: bytes[start + i]) }
                buffer[length] = 0
                return strtod(buffer.baseAddress!, nil)
            }
        }
        return Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)) ?? .nan
    }

    /// Reads one whole value of any kind.
    public mutating func readValue(depth: Int = 0) throws(Failure) -> JSONValue {
        guard depth < Self.maxDepth else { throw syntax("nesting deeper than \(Self.maxDepth)") }
        switch try peekKind() {
        case .object:
            var object: [String: JSONValue] = [:]
            try readObject { (key, reader) throws(Failure) in object[key] = try reader.readValue(depth: depth + 1) }
            return .object(object)
        case .array:
            var array: [JSONValue] = []
            try readArray { (_, reader) throws(Failure) in array.append(try reader.readValue(depth: depth + 1)) }
            return .array(array)
        case .string: return .string(try readString())
        case .number: return .number(try readDouble())
        case .bool: return .bool(try readBool())
        case .null:
            try readNull()
            return .null
        }
    }
}
