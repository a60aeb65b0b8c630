/// Decodes `Decodable` types from a parsed `JSONValue` tree (parsed by the fast `JSONReader`),
/// instead of Foundation's `JSONDecoder`: a `JSONValue` field takes its subtree as is, and a failed
/// probe is a cheap error. Distillation decodes hundreds of thousands of events and records with it.
public enum JSONValueDecoder {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let message: String
        public var description: String { "field '\(path.isEmpty ? "body" : path)': \(message)" }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try TreeDecoder(value: value, codingPath: []).decodeValue(type)
    }

    /// Parses `bytes` with `JSONReader` and decodes the tree.
    public static func decode<T: Decodable, C: Collection>(_ type: T.Type, fromBytes bytes: C) throws -> T where C.Element == UInt8 {
        guard let value = JSONParsing.value(bytes) else { throw Failure(path: "", message: "not valid JSON") }
        return try decode(type, from: value)
    }
}

private func render(_ path: [any CodingKey]) -> String {
    path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
}

private struct TreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func fail(_ message: String) -> JSONValueDecoder.Failure { JSONValueDecoder.Failure(path: render(codingPath), message: message) }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        if let handWritten = T.self as? any JSONValueInitializable.Type { return try handWritten.init(jsonValue: value) as! T }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let fields) = value else { throw fail("expected an object") }
        return KeyedDecodingContainer(KeyedTree<Key>(fields: fields, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw fail("expected an array") }
        return UnkeyedTree(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleTree(decoder: self) }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { String(intValue ?? 0) }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

private func scalar<T>(_ value: JSONValue, _ type: T.Type, _ decoder: TreeDecoder) throws -> T {
    switch value {
    case .bool(let flag): if let out = flag as? T { return out }
    case .string(let text): if let out = text as? T { return out }
    case .number(let number):
        if T.self == Double.self { return number as! T }
        if T.self == Float.self { return Float(number) as! T }
        if T.self == Int.self, number == number.rounded(), let out = Int(exactly: number) { return out as! T }
        if T.self == Int64.self, let out = Int64(exactly: number) { return out as! T }
        if T.self == UInt64.self, let out = UInt64(exactly: number) { return out as! T }
        if T.self == Int32.self, let out = Int32(exactly: number) { return out as! T }
        if T.self == UInt.self, let out = UInt(exactly: number) { return out as! T }
    default: break
    }
    throw decoder.fail("expected \(T.self)")
}

private struct SingleTree: SingleValueDecodingContainer {
    let decoder: TreeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    func decodeNil() -> Bool { decoder.value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try scalar(decoder.value, type, decoder) }
    func decode(_ type: String.Type) throws -> String { try scalar(decoder.value, type, decoder) }
    func decode(_ type: Double.Type) throws -> Double { try scalar(decoder.value, type, decoder) }
    func decode(_ type: Float.Type) throws -> Float { try scalar(decoder.value, type, decoder) }
    func decode(_ type: Int.Type) throws -> Int { try scalar(decoder.value, type, decoder) }
    func decode(_ type: Int8.Type) throws -> Int8 { throw decoder.fail("unsupported Int8") }
    func decode(_ type: Int16.Type) throws -> Int16 { throw decoder.fail("unsupported Int16") }
    func decode(_ type: Int32.Type) throws -> Int32 { try scalar(decoder.value, type, decoder) }
    func decode(_ type: Int64.Type) throws -> Int64 { try scalar(decoder.value, type, decoder) }
    func decode(_ type: UInt.Type) throws -> UInt { try scalar(decoder.value, type, decoder) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { throw decoder.fail("unsupported UInt8") }
    func decode(_ type: UInt16.Type) throws -> UInt16 { throw decoder.fail("unsupported UInt16") }
    func decode(_ type: UInt32.Type) throws -> UInt32 { throw decoder.fail("unsupported UInt32") }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try scalar(decoder.value, type, decoder) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}

private struct KeyedTree<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: [String: JSONValue]
    let codingPath: [any CodingKey]
    var allKeys: [Key] { fields.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }

    func child(_ key: Key) throws -> TreeDecoder {
        guard let value = fields[key.stringValue] else {
            throw JSONValueDecoder.Failure(path: render(codingPath + [key]), message: "missing")
        }
        return TreeDecoder(value: value, codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { fields[key.stringValue] == nil || fields[key.stringValue] == .null }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(type) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = fields[key.stringValue], value != .null else { return nil }
        return try TreeDecoder(value: value, codingPath: codingPath + [key]).decodeValue(type)
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { TreeDecoder(value: .object(fields), codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

private struct UnkeyedTree: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    mutating func next() throws -> TreeDecoder {
        guard !isAtEnd else { throw JSONValueDecoder.Failure(path: render(codingPath), message: "fewer items than expected") }
        defer { currentIndex += 1 }
        return TreeDecoder(value: items[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(type) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}
