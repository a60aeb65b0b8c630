/// Parsing artifact lines into `JSONValue` with the fast pull reader (schema checks of 100k records
/// would spend most of their time in Foundation's generic decoding otherwise).
public enum JSONParsing {
    /// The JSON value of `bytes`, or nil when they are not exactly one JSON value.
    public static func value<C: Collection>(_ bytes: C) -> JSONValue? where C.Element == UInt8 {
        let array = Array(bytes)
        return array.withUnsafeBytes { raw -> JSONValue? in
            var reader = JSONReader<APIError>(raw)
            guard let value = try? reader.readValue(), (try? reader.expectEnd()) != nil else { return nil }
            return value
        }
    }
}
