/// Finds the elements of one top-level array field (`{"items":[ … ]}`) in JSON that arrives in
/// pieces, and hands each element's bytes out as soon as it is complete, so a bulk body never has
/// to be held whole. It splits; it does not validate elements — callers decode each one (which
/// validates it). Structure around the array is tracked (depth, strings, escapes) so a `]` or `,`
/// inside a string or a nested value never ends an element early.
public struct JSONArrayScanner: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    let field: [UInt8]
    let maxElementBytes: Int

    private var depth = 0
    private var inString = false
    private var escaped = false
    private var expectingKey = false
    private var capturingKey = false
    private var key: [UInt8] = []
    private var lastKey: [UInt8]?
    private var valueIsTarget = false
    private var inTarget = false
    private var sawTarget = false
    private var topClosed = false

    private var inElement = false
    private var elementIsScalar = false
    private var elementNest = 0
    private var element: [UInt8] = []
    private var ready: [[UInt8]] = []
    private var readyHead = 0

    public init(field: String, maxElementBytes: Int = 16 << 20) {
        self.field = Array(field.utf8)
        self.maxElementBytes = maxElementBytes
    }

    /// The next complete element, if one is ready.
    public mutating func nextElement() -> [UInt8]? {
        guard readyHead < ready.count else { return nil }
        let next = ready[readyHead]
        readyHead += 1
        if readyHead == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyHead = 0
        }
        return next
    }

    public mutating func feed<C: Collection>(_ bytes: C) throws(Failure) where C.Element == UInt8 {
        for byte in bytes { try consume(byte) }
    }

    /// The input ended: it must have been one complete object holding the field's array.
    public func finish() throws(Failure) {
        if inElement || inString || depth != 0 || !topClosed {
            throw Failure(description: "body is not valid JSON: it ends in the middle of a value")
        }
        if !sawTarget {
            throw Failure(description: "missing field '\(String(decoding: field, as: UTF8.self))' (an array)")
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private mutating func consume(_ byte: UInt8) throws(Failure) {
        if inElement {
            if elementIsScalar {
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || JSONArrayScanner.isWhitespace(byte) {
                    try finishElement()  // and `byte` is structure: handled below
                } else {
                    try append(byte)
                    return
                }
            } else {
                try append(byte)
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                        inString = false
                        if elementNest == 0 { try finishElement() }
                    }
                    return
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): elementNest += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    elementNest -= 1
                    if elementNest == 0 { try finishElement() }
                default: break
                }
                return
            }
        }
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
                if capturingKey {
                    capturingKey = false
                    lastKey = key
                }
                return
            }
            if capturingKey { key.append(byte) }
            return
        }
        if JSONArrayScanner.isWhitespace(byte) { return }
        if topClosed { throw Failure(description: "body is not valid JSON: data after the top-level object") }
        let targetLevel = inTarget && depth == 2
        switch byte {
        case UInt8(ascii: "\""):
            if targetLevel {
                startElement(byte, scalar: false)
                inString = true
            } else {
                if depth == 1 && valueIsTarget { throw targetNotArray() }
                inString = true
                if depth == 1 && expectingKey {
                    capturingKey = true
                    key = []
                }
            }
        case UInt8(ascii: ":"):
            if depth == 1 {
                expectingKey = false
                valueIsTarget = lastKey == field
            }
        case UInt8(ascii: ","):
            if depth == 1 {
                expectingKey = true
                valueIsTarget = false
            }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            if targetLevel {
                startElement(byte, scalar: false)
                elementNest = 1
                return
            }
            if depth == 0 && byte != UInt8(ascii: "{") { throw Failure(description: "body must be a JSON object") }
            if depth == 1 && valueIsTarget && byte != UInt8(ascii: "[") { throw targetNotArray() }
            depth += 1
            if depth == 1 { expectingKey = true }
            if depth == 2 && valueIsTarget {
                inTarget = true
                sawTarget = true
            }
            valueIsTarget = false
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            if inTarget && depth == 2 { inTarget = false }
            depth -= 1
            if depth < 0 { throw Failure(description: "body is not valid JSON: unbalanced brackets") }
            if depth == 0 { topClosed = true }
        default:
            if targetLevel {
                startElement(byte, scalar: true)
            } else if depth == 0 {
                throw Failure(description: "body must be a JSON object")
            } else if depth == 1 && valueIsTarget {
                throw targetNotArray()
            }
        }
    }

    private func targetNotArray() -> Failure {
        Failure(description: "field '\(String(decoding: field, as: UTF8.self))' must be an array")
    }

    private mutating func startElement(_ byte: UInt8, scalar: Bool) {
        inElement = true
        elementIsScalar = scalar
        elementNest = 0
        element = [byte]
    }

    private mutating func append(_ byte: UInt8) throws(Failure) {
        element.append(byte)
        if element.count > maxElementBytes {
            throw Failure(description: "an element of '\(String(decoding: field, as: UTF8.self))' is larger than \(maxElementBytes) bytes")
        }
    }

    private mutating func finishElement() throws(Failure) {
        inElement = false
        ready.append(element)
        element = []
    }
}

/// The elements of a top-level array field of a streamed JSON body, one `[UInt8]` each.
public struct JSONArrayElements<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == [UInt8] {
    public typealias Element = [UInt8]
    let base: Base
    let field: String
    let maxElementBytes: Int

    public init(_ base: Base, field: String, maxElementBytes: Int = 16 << 20) {
        self.base = base
        self.field = field
        self.maxElementBytes = maxElementBytes
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var source: Base.AsyncIterator
        var scanner: JSONArrayScanner
        var ended = false

        public mutating func next() async throws -> [UInt8]? {
            while true {
                if let element = scanner.nextElement() { return element }
                if ended { return nil }
                guard let chunk = try await source.next() else {
                    ended = true
                    try scanner.finish()
                    continue
                }
                try scanner.feed(chunk)
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: base.makeAsyncIterator(), scanner: JSONArrayScanner(field: field, maxElementBytes: maxElementBytes))
    }
}
