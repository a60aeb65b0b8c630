import Foundation

extension JSONValue {
    /// The JSON value of any Encodable (journal payloads are built from typed structs this way).
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(JSONCoding.encode(value)))
    }

    /// Decodes this value as `T` (reading a typed struct back out of a journal payload).
    public func decode<T: Decodable>(as _: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(JSONCoding.encode(self)))
    }
}
