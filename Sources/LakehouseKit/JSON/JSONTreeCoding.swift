/// A type that builds its own JSON tree by hand. `JSONValueEncoder` (and so `JSONTree`) takes
/// `jsonValue` instead of running its `Encodable` conformance: for the records that cross every hop
/// of a fill (a `Worker` travels gateway → validatord → chatd several times), generic encoding was
/// most of the fleet's CPU. `jsonValue` must be exactly what the `Encodable` conformance produces.
public protocol JSONValueConvertible: Encodable {
    var jsonValue: JSONValue { get }
}

/// A type that reads itself from a parsed tree by hand; `JSONValueDecoder` calls it instead of the
/// `Decodable` conformance. It must accept exactly what that conformance accepts (and throw on
/// the rest, e.g. with `JSONValueDecoder.Failure`).
public protocol JSONValueInitializable: Decodable {
    init(jsonValue: JSONValue) throws
}

/// Codable through the fast pull reader and writer instead of Foundation's JSONDecoder/JSONEncoder,
/// for hot request paths. Output has sorted keys and numbers as `JSONWriter` writes them (the same
/// text `JSONCoding.encode` gives for the fleet's own types, which hold no `Float`).
public enum JSONTree {
    /// Decodes a request body. A body that does not decode is decoded again by `JSONCoding.decode`,
    /// so bad input gets exactly the same 400 (message naming the field) as it always did.
    public static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws(APIError) -> T {
        if let tree = JSONParsing.value(body), let value = try? JSONValueDecoder.decode(type, from: tree) { return value }
        return try JSONCoding.decode(type, from: body)
    }

    /// The JSON text of `value` (sorted keys); `JSONCoding.encode` for what the tree encoder cannot take.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        if let bytes = try? JSONValueEncoder.bytes(value) { return bytes }
        return try JSONCoding.encode(value)
    }

    /// `encode` as a String (e.g. a prompt's JSON message); "null" if it cannot be encoded.
    public static func string<T: Encodable>(_ value: T) -> String {
        (try? encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// The tree of `value` without going through text (journal payloads); `.null` if it cannot be encoded.
    public static func value<T: Encodable>(_ value: T) -> JSONValue {
        (try? JSONValueEncoder.encode(value)) ?? .null
    }
}
