/// A small strict JSON reader (RFC 8259) over raw body bytes, for the two request shapes.
///
/// Why not JSONDecoder: request decoding is on the warm path (thousands of requests a second on two
/// cores), and a reader that pulls exactly the fields it needs, allocating nothing but the strings it
/// returns, costs a fraction of building a decoder tree. It also lets errors say precisely what is
/// wrong ("texts[3] is a number, not a string") instead of a decoder's coding path.
///
/// Everything it accepts is valid JSON: unknown values are skipped but still fully checked, strings
/// must be valid UTF-8 without raw control characters or lone surrogates, nesting is capped.
struct JSONReader {
    enum Kind: Equatable {
        case object, array, string, number, bool, null
    }

    static let maxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    // MARK: - Structure

    /// Reads an object, calling `field` with each key; `field` must consume the value.
    mutating func readObject(_ field: (String, inout JSONReader) throws(EmbedError) -> Void) throws(EmbedError) {
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
    mutating func readArray(_ element: (Int, inout JSONReader) throws(EmbedError) -> Void) throws(EmbedError) {
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
    mutating func peekKind() throws(EmbedError) -> Kind {
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

    /// Checks and skips any value.
    mutating func skipValue(depth: Int = 0) throws(EmbedError) {
        guard depth < Self.maxDepth else { throw syntax("nesting deeper than \(Self.maxDepth)") }
        switch try peekKind() {
        case .object: try readObject { (_, reader) throws(EmbedError) in try reader.skipValue(depth: depth + 1) }
        case .array: try readArray { (_, reader) throws(EmbedError) in try reader.skipValue(depth: depth + 1) }
        case .string: _ = try readString()
        case .number: _ = try readNumber()
        case .bool: _ = try readBool()
        case .null: try readNull()
        }
    }

    /// After the top-level value only whitespace may follow.
    mutating func expectEnd() throws(EmbedError) {
        skipWhitespace()
        guard position == bytes.count else { throw syntax("unexpected data after the JSON value") }
    }

    // MARK: - Scalars

    mutating func readBool() throws(EmbedError) -> Bool {
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw syntax("expected true or false")
    }

    mutating func readNull() throws(EmbedError) {
        guard matchLiteral("null") else { throw syntax("expected null") }
    }

    /// Reads a number (full JSON grammar); returns its value, or nil when it is not an integer that
    /// fits in an `Int` (the only numbers the requests need are integers).
    mutating func readNumber() throws(EmbedError) -> Int? {
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
    mutating func readString() throws(EmbedError) -> String {
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

    private mutating func expect(_ byte: UInt8) throws(EmbedError) {
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

    private func makeString(_ raw: UnsafeRawBufferPointer) throws(EmbedError) -> String {
        guard let string = String(validating: raw, as: UTF8.self) else { throw syntax("string is not valid UTF-8") }
        return string
    }

    /// The slow path, from the first backslash on: unescape into a buffer.
    private mutating func readEscapedString(from start: Int) throws(EmbedError) -> String {
        var buffer = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
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

    private mutating func readHex4() throws(EmbedError) -> UInt32 {
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

    private func syntax(_ message: String) -> EmbedError {
        .badRequest("body is not valid JSON: \(message) at byte \(position)")
    }
}
