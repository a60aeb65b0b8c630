/// Encodes `Encodable` values into a `JSONValue` tree (then written by `JSONWriter`, keys sorted),
/// instead of Foundation's `JSONEncoder`: distillation encodes hundreds of thousands of records, and
/// the tree is what the schema check reads anyway. A `JSONValue` field is taken as is.
public enum JSONValueEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let direct = value as? JSONValue { return direct }
        if let handWritten = value as? any JSONValueConvertible { return handWritten.jsonValue }
        let root = TreeEncoder(codingPath: [])
        try value.encode(to: root)
        return root.storage.value
    }

    /// The JSON text of `value`: keys sorted, integers as integers, other numbers in their shortest
    /// round-trip form (`JSONWriter`). Same value → same bytes.
    public static func bytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        writer.value(try encode(value))
        return writer.bytes
    }

    public static func string<T: Encodable>(_ value: T) throws -> String { String(decoding: try bytes(value), as: UTF8.self) }
}

/// A mutable slot of the tree being built.
private final class Slot {
    enum Kind { case unset, value, object, array }
    var kind = Kind.unset
    var leaf = JSONValue.null
    var fields: [String: Slot] = [:]
    var items: [Slot] = []

    var value: JSONValue {
        switch kind {
        case .unset: .null
        case .value: leaf
        case .object: .object(fields.mapValues(\.value))
        case .array: .array(items.map(\.value))
        }
    }

    func setLeaf(_ value: JSONValue) {
        kind = .value
        leaf = value
    }

    func makeObject() { if kind != .object { kind = .object; fields = [:] } }

    func child(_ key: String) -> Slot {
        makeObject()
        if let existing = fields[key] { return existing }
        let slot = Slot()
        fields[key] = slot
        return slot
    }

    func set(_ key: String, _ value: JSONValue) { child(key).setLeaf(value) }

    func append() -> Slot {
        ensureArray()
        let slot = Slot()
        items.append(slot)
        return slot
    }

    func ensureArray() { if kind != .array { kind = .array; items = [] } }
}

private struct TreeEncoder: Encoder {
    let storage: Slot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(codingPath: [any CodingKey], storage: Slot = Slot()) {
        self.codingPath = codingPath
        self.storage = storage
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        storage.makeObject()
        return KeyedEncodingContainer(KeyedTreeEncoder<Key>(slot: storage, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        storage.ensureArray()
        return UnkeyedTreeEncoder(slot: storage, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTreeEncoder(slot: storage, codingPath: codingPath) }
}

private func leaf<T: Encodable>(_ value: T, _ path: [any CodingKey]) throws -> JSONValue? {
    switch value {
    case let v as JSONValue: return v
    case let v as any JSONValueConvertible: return v.jsonValue
    case let v as String: return .string(v)
    case let v as Bool: return .bool(v)
    case let v as Double: return .number(v)
    case let v as Float: return .number(Double(v))
    case let v as Int: return .number(Double(v))
    case let v as Int64: return .number(Double(v))
    case let v as Int32: return .number(Double(v))
    case let v as UInt: return .number(Double(v))
    case let v as UInt64: return .number(Double(v))
    default: return nil
    }
}

private func encodeInto<T: Encodable>(_ slot: Slot, _ value: T, _ path: [any CodingKey]) throws {
    if let direct = try leaf(value, path) {
        slot.setLeaf(direct)
        return
    }
    try value.encode(to: TreeEncoder(codingPath: path, storage: slot))
}

private struct KeyedTreeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { slot.set(key.stringValue, .null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeInto(slot.child(key.stringValue), value, codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = slot.child(key.stringValue)
        child.makeObject()
        return KeyedEncodingContainer(KeyedTreeEncoder<NestedKey>(slot: child, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = slot.child(key.stringValue)
        child.ensureArray()
        return UnkeyedTreeEncoder(slot: child, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(codingPath: codingPath, storage: slot.child("super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(codingPath: codingPath + [key], storage: slot.child(key.stringValue)) }
}

private struct UnkeyedTreeEncoder: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    var count: Int { slot.items.count }

    mutating func encodeNil() throws { slot.append().setLeaf(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeInto(slot.append(), value, codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = slot.append()
        child.makeObject()
        return KeyedEncodingContainer(KeyedTreeEncoder<NestedKey>(slot: child, codingPath: codingPath))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = slot.append()
        child.ensureArray()
        return UnkeyedTreeEncoder(slot: child, codingPath: codingPath)
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(codingPath: codingPath, storage: slot.append()) }
}

private struct SingleTreeEncoder: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.setLeaf(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeInto(slot, value, codingPath) }
}
