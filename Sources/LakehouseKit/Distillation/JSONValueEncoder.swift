/// Encodes `Encodable` values into a `JSONValue` tree (then written by `JSONWriter`, keys sorted),
/// instead of Foundation's `JSONEncoder`: distillation encodes hundreds of thousands of records, and
/// the tree is what the schema check reads anyway. A `JSONValue` field is taken as is.
public enum JSONValueEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let direct = value as? JSONValue { return direct }
        if let handWritten = value as? any JSONValueConvertible { return handWritten.jsonValue }
        let root = TreeEncoder(path: nil)
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

/// A mutable slot of the tree being built. Scalar fields and items are stored as values directly;
/// only nested containers get a slot of their own.
private final class Slot {
    enum Kind { case unset, value, object, array }
    enum Entry {
        case leaf(JSONValue)
        case slot(Slot)

        var value: JSONValue {
            switch self {
            case .leaf(let value): value
            case .slot(let slot): slot.value
            }
        }
    }

    var kind = Kind.unset
    var leaf = JSONValue.null
    var fields: [String: Entry] = [:]
    var items: [Entry] = []

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
        if case .slot(let existing) = fields[key] { return existing }
        let slot = Slot()
        fields[key] = .slot(slot)
        return slot
    }

    func set(_ key: String, _ value: JSONValue) {
        makeObject()
        fields[key] = .leaf(value)
    }

    func append() -> Slot {
        ensureArray()
        let slot = Slot()
        items.append(.slot(slot))
        return slot
    }

    func append(_ value: JSONValue) {
        ensureArray()
        items.append(.leaf(value))
    }

    func ensureArray() { if kind != .array { kind = .array; items = [] } }
}

private struct TreeEncoder: Encoder {
    let storage: Slot
    let path: CodingPathLink?
    var codingPath: [any CodingKey] { CodingPathLink.array(path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(path: CodingPathLink?, storage: Slot = Slot()) {
        self.path = path
        self.storage = storage
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        storage.makeObject()
        return KeyedEncodingContainer(KeyedTreeEncoder<Key>(slot: storage, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        storage.ensureArray()
        return UnkeyedTreeEncoder(slot: storage, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTreeEncoder(slot: storage, path: path) }
}

private func leaf<T: Encodable>(_ value: T) -> JSONValue? {
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

private func encodeInto<T: Encodable>(_ slot: Slot, _ value: T, _ path: CodingPathLink?) throws {
    if let direct = leaf(value) {
        slot.setLeaf(direct)
        return
    }
    try value.encode(to: TreeEncoder(path: path, storage: slot))
}

private struct KeyedTreeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let path: CodingPathLink?
    var codingPath: [any CodingKey] { CodingPathLink.array(path) }

    mutating func encodeNil(forKey key: Key) throws { slot.set(key.stringValue, .null) }
    mutating func encode(_ value: String, forKey key: Key) throws { slot.set(key.stringValue, .string(value)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { slot.set(key.stringValue, .bool(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { slot.set(key.stringValue, .number(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { slot.set(key.stringValue, .number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let direct = leaf(value) { return slot.set(key.stringValue, direct) }
        try value.encode(to: TreeEncoder(path: CodingPathLink(key, path), storage: slot.child(key.stringValue)))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = slot.child(key.stringValue)
        child.makeObject()
        return KeyedEncodingContainer(KeyedTreeEncoder<NestedKey>(slot: child, path: CodingPathLink(key, path)))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = slot.child(key.stringValue)
        child.ensureArray()
        return UnkeyedTreeEncoder(slot: child, path: CodingPathLink(key, path))
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(path: path, storage: slot.child("super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(path: CodingPathLink(key, path), storage: slot.child(key.stringValue)) }
}

private struct UnkeyedTreeEncoder: UnkeyedEncodingContainer {
    let slot: Slot
    let path: CodingPathLink?
    var codingPath: [any CodingKey] { CodingPathLink.array(path) }
    var count: Int { slot.items.count }

    mutating func encodeNil() throws { slot.append(.null) }
    mutating func encode(_ value: String) throws { slot.append(.string(value)) }
    mutating func encode(_ value: Bool) throws { slot.append(.bool(value)) }
    mutating func encode(_ value: Double) throws { slot.append(.number(value)) }
    mutating func encode(_ value: Int) throws { slot.append(.number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if let direct = leaf(value) { return slot.append(direct) }
        try value.encode(to: TreeEncoder(path: path, storage: slot.append()))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = slot.append()
        child.makeObject()
        return KeyedEncodingContainer(KeyedTreeEncoder<NestedKey>(slot: child, path: path))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = slot.append()
        child.ensureArray()
        return UnkeyedTreeEncoder(slot: child, path: path)
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(path: path, storage: slot.append()) }
}

private struct SingleTreeEncoder: SingleValueEncodingContainer {
    let slot: Slot
    let path: CodingPathLink?
    var codingPath: [any CodingKey] { CodingPathLink.array(path) }

    mutating func encodeNil() throws { slot.setLeaf(.null) }
    mutating func encode(_ value: String) throws { slot.setLeaf(.string(value)) }
    mutating func encode(_ value: Bool) throws { slot.setLeaf(.bool(value)) }
    mutating func encode(_ value: Double) throws { slot.setLeaf(.number(value)) }
    mutating func encode(_ value: Int) throws { slot.setLeaf(.number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeInto(slot, value, path) }
}
