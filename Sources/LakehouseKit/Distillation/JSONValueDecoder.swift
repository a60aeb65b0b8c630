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
    let path: CodingPathLink?
    var codingPath: [any CodingKey] { CodingPathLink.array(path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, path: CodingPathLink?) {
        self.value = value
        self.path = path
    }

    init(value: JSONValue, codingPath: [any CodingKey]) {
        self.value = value
        path = codingPath.reduce(nil) { CodingPathLink($1, $0) }
    }

    func fail(_ message: String) -> JSONValueDecoder.Failure { JSONValueDecoder.Failure(path: render(codingPath), message: message) }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        if let handWritten = T.self as? any JSONValueInitializable.Type { return try handWritten.init(jsonValue: value) as! T }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let fields) = value else { throw fail("expected an object") }
        return KeyedDecodingContainer(KeyedTree<Key>(fields: fields, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw fail("expected an array") }
        return UnkeyedTree(items: items, path: path)
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

// The common scalars without a decoder, a container or a dynamic cast (same results and errors as `scalar`).
private func string(_ value: JSONValue, _ decoder: @autoclosure () -> TreeDecoder) throws -> String {
    if case .string(let text) = value { return text }
    throw decoder().fail("expected String")
}

private func bool(_ value: JSONValue, _ decoder: @autoclosure () -> TreeDecoder) throws -> Bool {
    if case .bool(let flag) = value { return flag }
    throw decoder().fail("expected Bool")
}

private func double(_ value: JSONValue, _ decoder: @autoclosure () -> TreeDecoder) throws -> Double {
    if case .number(let number) = value { return number }
    throw decoder().fail("expected Double")
}

private func int(_ value: JSONValue, _ decoder: @autoclosure () -> TreeDecoder) throws -> Int {
    if case .number(let number) = value, number == number.rounded(), let out = Int(exactly: number) { return out }
    throw decoder().fail("expected Int")
}

private struct SingleTree: SingleValueDecodingContainer {
    let decoder: TreeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    func decodeNil() -> Bool { decoder.value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try bool(decoder.value, decoder) }
    func decode(_ type: String.Type) throws -> String { try string(decoder.value, decoder) }
    func decode(_ type: Double.Type) throws -> Double { try double(decoder.value, decoder) }
    func decode(_ type: Float.Type) throws -> Float { try scalar(decoder.value, type, decoder) }
    func decode(_ type: Int.Type) throws -> Int { try int(decoder.value, decoder) }
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
    let path: CodingPathLink?
    var codingPath: [any CodingKey] { CodingPathLink.array(path) }
    var allKeys: [Key] { fields.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }

    func missing(_ key: Key) -> JSONValueDecoder.Failure {
        JSONValueDecoder.Failure(path: render(codingPath + [key]), message: "missing")
    }

    func child(_ key: Key) throws -> TreeDecoder {
        guard let value = fields[key.stringValue] else { throw missing(key) }
        return TreeDecoder(value: value, path: CodingPathLink(key, path))
    }

    func field(_ key: Key) throws -> JSONValue {
        guard let value = fields[key.stringValue] else { throw missing(key) }
        return value
    }

    /// The field's value unless it is absent or null.
    func present(_ key: Key) -> JSONValue? {
        guard let value = fields[key.stringValue], value != .null else { return nil }
        return value
    }

    func decoder(_ value: JSONValue, _ key: Key) -> TreeDecoder { TreeDecoder(value: value, path: CodingPathLink(key, path)) }

    func decodeNil(forKey key: Key) throws -> Bool { fields[key.stringValue] == nil || fields[key.stringValue] == .null }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { let v = try field(key); return try string(v, decoder(v, key)) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { let v = try field(key); return try bool(v, decoder(v, key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { let v = try field(key); return try double(v, decoder(v, key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { let v = try field(key); return try int(v, decoder(v, key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(type) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let v = present(key) else { return nil }
        return try string(v, decoder(v, key))
    }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let v = present(key) else { return nil }
        return try bool(v, decoder(v, key))
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let v = present(key) else { return nil }
        return try double(v, decoder(v, key))
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let v = present(key) else { return nil }
        return try int(v, decoder(v, key))
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = present(key) else { return nil }
        return try decoder(value, key).decodeValue(type)
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { TreeDecoder(value: .object(fields), path: path) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

private struct UnkeyedTree: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let path: CodingPathLink?
    var codingPath: [any CodingKey] { CodingPathLink.array(path) }
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], path: CodingPathLink?) {
        self.items = items
        self.path = path
    }

    mutating func next() throws -> TreeDecoder {
        guard !isAtEnd else { throw JSONValueDecoder.Failure(path: render(codingPath), message: "fewer items than expected") }
        defer { currentIndex += 1 }
        return TreeDecoder(value: items[currentIndex], path: CodingPathLink(IndexKey(currentIndex), path))
    }

    /// The next item as a scalar: the index joins the path only when the item has the wrong type.
    mutating func nextScalar<T>(_ read: (JSONValue, @autoclosure () -> TreeDecoder) throws -> T) throws -> T {
        guard !isAtEnd else { throw JSONValueDecoder.Failure(path: render(codingPath), message: "fewer items than expected") }
        let index = currentIndex
        let value = items[index]
        let path = self.path
        let out = try read(value, TreeDecoder(value: value, path: CodingPathLink(IndexKey(index), path)))
        currentIndex += 1
        return out
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode(_ type: String.Type) throws -> String { try nextScalar(string) }
    mutating func decode(_ type: Int.Type) throws -> Int { try nextScalar(int) }
    mutating func decode(_ type: Double.Type) throws -> Double { try nextScalar(double) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try nextScalar(bool) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(type) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}
