import Glibc
import LakehouseKit

/// One hit of one vectord search. Only the metadata fields ranking reads are parsed (`metadata`);
/// the whole metadata object stays the bytes vectord sent (`rawMetadata`) and is copied into the
/// retrieve answer as it is: building a dictionary per worker record for the 30-odd hits of every
/// retrieve cost more than the rest of matrixd's work on it.
struct IndexHit: Sendable {
    let id: String
    var score: Double
    /// The ranking fields present in the record (see `rankingFields`).
    let metadata: Fields
    /// The record's whole metadata object, JSON text.
    let rawMetadata: [UInt8]

    /// Geography (`state`, `lat`, `lon`) and a playbook's `outcome` and `worker_ids`; the corpus's
    /// role field is added per search.
    static let rankingFields: Set<String> = ["state", "lat", "lon", "outcome", "worker_ids"]

    /// A handful of named values, looked up by a linear scan: a dictionary per hit (hashing each
    /// key, growing its table) was a sixth of matrixd's CPU per retrieve.
    struct Fields: Sendable, Equatable, ExpressibleByDictionaryLiteral {
        private var entries: [(name: String, value: JSONValue)] = []

        init() {}

        init(_ fields: [String: JSONValue]) {
            entries = fields.map { (name: $0.key, value: $0.value) }
        }

        init(dictionaryLiteral elements: (String, JSONValue)...) {
            self.init(Dictionary(elements) { $1 })
        }

        var isEmpty: Bool { entries.isEmpty }

        var dictionary: [String: JSONValue] { Dictionary(entries.map { ($0.name, $0.value) }) { $1 } }

        static func == (a: Fields, b: Fields) -> Bool { a.dictionary == b.dictionary }

        subscript(name: String) -> JSONValue? {
            get { entries.first { $0.name == name }?.value }
            set {
                entries.removeAll { $0.name == name }
                if let newValue { entries.append((name, newValue)) }
            }
        }
    }

    init(id: String, score: Double, metadata: Fields, rawMetadata: [UInt8]) {
        self.id = id
        self.score = score
        self.metadata = metadata
        self.rawMetadata = rawMetadata
    }

    init(id: String, score: Double, metadata: [String: JSONValue]) {
        var writer = JSONWriter()
        writer.object(metadata)
        self.init(id: id, score: score, metadata: Fields(metadata), rawMetadata: writer.bytes)
    }

    /// One search of vectord's batch answer (`POST /v1/indexes/search`): its hits and its index's
    /// live count.
    struct BatchPart: Sendable {
        var hits: [IndexHit]
        var count: Int?
    }

    /// The searches of `{"searches":[{"index","count","results":[…]}]}`, in order; `fields[i]` are
    /// the metadata fields kept for search i.
    static func decode(batchAnswer body: [UInt8], keeping fields: [Set<String>]) throws(MatrixError) -> [BatchPart] {
        let decoded = body.withUnsafeBytes { raw in
            Result { () throws(AnswerScanner.Malformed) -> [BatchPart] in
                var scanner = AnswerScanner(bytes: raw)
                var parts: [BatchPart] = []
                try scanner.members { (key, scanner) throws(AnswerScanner.Malformed) in
                    guard scanner.key(key, is: "searches"), scanner.peek() == UInt8(ascii: "[") else { return try scanner.skipValue() }
                    try scanner.array { (scanner) throws(AnswerScanner.Malformed) in
                        let keep = parts.count < fields.count ? fields[parts.count] : []
                        var part = BatchPart(hits: [], count: nil)
                        var sawResults = false
                        try scanner.members { (key, scanner) throws(AnswerScanner.Malformed) in
                            if scanner.key(key, is: "results"), scanner.peek() == UInt8(ascii: "[") {
                                part.hits = try results(&scanner, keeping: keep)
                                sawResults = true
                            } else if scanner.key(key, is: "count") {
                                part.count = try scanner.value().numberValue.map { Int($0) }
                            } else {
                                try scanner.skipValue()
                            }
                        }
                        guard sawResults else { throw AnswerScanner.Malformed(message: "search \(parts.count) has no results") }
                        parts.append(part)
                    }
                }
                try scanner.expectEnd()
                return parts
            }
        }
        switch decoded {
        case .success(let parts) where parts.count == fields.count: return parts
        case .success(let parts): throw MatrixError(.badGateway, "vectord answered \(parts.count) searches for \(fields.count)")
        case .failure(let error): throw MatrixError(.badGateway, "vectord's search answer is not valid JSON: \(error.message)")
        }
    }

    /// `[{"id","metadata","score"}, …]`: a result without a string id or a numeric score is skipped.
    /// Keys are compared as bytes, never made into strings: a worker record has a dozen fields and
    /// a retrieve reads a hundred records.
    private static func results(_ scanner: inout AnswerScanner, keeping fields: Set<String>) throws(AnswerScanner.Malformed) -> [IndexHit] {
        let wanted = fields.map { (name: $0, bytes: Array($0.utf8)) }
        var found: [IndexHit] = []
        try scanner.array { (scanner) throws(AnswerScanner.Malformed) in
            guard scanner.peek() == UInt8(ascii: "{") else { return try scanner.skipValue() }
            var id: String?
            var score: Double?
            var picked = Fields()
            var metadata: [UInt8] = [UInt8(ascii: "{"), UInt8(ascii: "}")]
            try scanner.members { (key, scanner) throws(AnswerScanner.Malformed) in
                let escaped = scanner.escapedKey(key)
                if scanner.key(key, is: "id") || escaped == "id" {
                    id = try scanner.value().stringValue
                } else if scanner.key(key, is: "score") || escaped == "score" {
                    score = try scanner.value().numberValue
                } else if scanner.key(key, is: "metadata") || escaped == "metadata", scanner.peek() == UInt8(ascii: "{") {
                    let start = scanner.position
                    try scanner.members { (field, scanner) throws(AnswerScanner.Malformed) in
                        if let name = wanted.first(where: { scanner.key(field, is: $0.bytes) })?.name ?? scanner.escapedKey(field).flatMap({ fields.contains($0) ? $0 : nil }) {
                            picked[name] = try scanner.value()
                        } else {
                            try scanner.skipValue()
                        }
                    }
                    metadata = scanner.bytes(start..<scanner.position)
                } else {
                    try scanner.skipValue()
                }
            }
            if let id, let score { found.append(IndexHit(id: id, score: score, metadata: picked, rawMetadata: metadata)) }
        }
        return found
    }
}

/// A forward scanner over JSON text that checks its structure and skips values without building
/// them (no string per skipped value, no dictionary per object); only values asked for are parsed,
/// by LakehouseKit's reader. Built for answers of a trusted peer (vectord) on the retrieve hot path.
struct AnswerScanner {
    struct Malformed: Error {
        let message: String
    }

    private let text: UnsafeRawBufferPointer
    private(set) var position = 0
    static let maxDepth = 64

    init(bytes: UnsafeRawBufferPointer) {
        text = bytes
    }

    /// The next non-whitespace byte, if any (the position moves past the whitespace).
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < text.count ? text[position] : nil
    }

    func bytes(_ range: Range<Int>) -> [UInt8] { Array(text[range]) }

    mutating func expectEnd() throws(Malformed) {
        guard peek() == nil else { throw malformed("text after the answer") }
    }

    /// A key's text between its quotes, as `members` passes it.
    struct Key {
        let range: Range<Int>
        let escaped: Bool
    }

    /// Calls `field` with each key as it is in the text (no string made); `field` must consume the value.
    mutating func members(_ field: (Key, inout AnswerScanner) throws(Malformed) -> Void) throws(Malformed) {
        try expect(UInt8(ascii: "{"))
        if peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw malformed("expected a key") }
            let start = position + 1
            let escaped = try skipString()
            let key = Key(range: start..<(position - 1), escaped: escaped)
            try expect(UInt8(ascii: ":"))
            try field(key, &self)
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return
            default: throw malformed("expected ',' or '}'")
            }
        }
    }

    /// Whether an unescaped key is exactly `name`.
    func key(_ key: Key, is name: StaticString) -> Bool {
        !key.escaped && key.range.count == name.utf8CodeUnitCount
            && name.withUTF8Buffer { expected in memcmp(text.baseAddress! + key.range.lowerBound, expected.baseAddress!, expected.count) == 0 }
    }

    func key(_ key: Key, is name: [UInt8]) -> Bool {
        !key.escaped && key.range.count == name.count
            && name.withUnsafeBytes { expected in memcmp(text.baseAddress! + key.range.lowerBound, expected.baseAddress!, expected.count) == 0 }
    }

    /// The text of a key that holds escapes (nil for one without: compare those with `key(_:is:)`).
    func escapedKey(_ key: Key) -> String? {
        guard key.escaped else { return nil }
        return (try? JSONBytes.read(Array(text[(key.range.lowerBound - 1)...key.range.upperBound])))?.stringValue
    }

    /// Calls `element` for each element; `element` must consume it.
    mutating func array(_ element: (inout AnswerScanner) throws(Malformed) -> Void) throws(Malformed) {
        try expect(UInt8(ascii: "["))
        if peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            try element(&self)
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return
            default: throw malformed("expected ',' or ']'")
            }
        }
    }

    /// Parses the value at the position.
    mutating func value() throws(Malformed) -> JSONValue {
        let first = peek()
        if first == UInt8(ascii: "\"") { return .string(try string()) }
        let start = position
        try skipValue()
        if first == UInt8(ascii: "-") || first.map({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) == true,
           let number = Double(String(decoding: text[start..<position], as: UTF8.self)), number.isFinite {
            return .number(number)
        }
        do {
            return try JSONBytes.read(Array(text[start..<position]))
        } catch {
            throw malformed(error.message)
        }
    }

    /// Skips one value, checking its structure: strings closed, literals and numbers made of their
    /// characters, brackets balanced.
    mutating func skipValue(depth: Int = 0) throws(Malformed) {
        guard depth < Self.maxDepth else { throw malformed("nesting deeper than \(Self.maxDepth)") }
        guard let byte = peek() else { throw malformed("unexpected end") }
        switch byte {
        case UInt8(ascii: "{"): try members { (_, scanner) throws(Malformed) in try scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try array { (scanner) throws(Malformed) in try scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = position
            while position < text.count, Self.isNumberByte(text[position]) { position += 1 }
            guard position > start else { throw malformed("expected a number") }
        default: throw malformed("expected a value")
        }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    /// Reads a string; one without escapes is taken as it is (keys are short: no allocation).
    private mutating func string() throws(Malformed) -> String {
        let start = position
        let escaped = try skipString()
        guard escaped else { return String(decoding: text[(start + 1)..<(position - 1)], as: UTF8.self) }
        do {
            return try JSONBytes.read(Array(text[start..<position])).stringValue ?? ""
        } catch {
            throw malformed(error.message)
        }
    }

    /// Skips a string at the position; true when it holds escapes.
    @discardableResult
    private mutating func skipString() throws(Malformed) -> Bool {
        position += 1
        var escaped = false
        while position < text.count {
            switch text[position] {
            case UInt8(ascii: "\""):
                position += 1
                return escaped
            case UInt8(ascii: "\\"):
                escaped = true
                position += 2
            case 0..<0x20:
                throw malformed("control character in a string")
            default:
                position += 1
            }
        }
        throw malformed("unterminated string")
    }

    private mutating func literal(_ word: StaticString) throws(Malformed) {
        let count = word.utf8CodeUnitCount
        guard position + count <= text.count,
              word.withUTF8Buffer({ expected in (0..<count).allSatisfy { text[position + $0] == expected[$0] } })
        else { throw malformed("expected \(word)") }
        position += count
    }

    private mutating func expect(_ byte: UInt8) throws(Malformed) {
        guard peek() == byte else { throw malformed("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    private mutating func skipWhitespace() {
        while position < text.count {
            switch text[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func malformed(_ what: String) -> Malformed {
        Malformed(message: "\(what) at byte \(position)")
    }
}
