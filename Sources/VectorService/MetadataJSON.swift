import LakehouseKit

/// An item's metadata as the index holds it: its JSON object text, written once when the item is
/// inserted (keys sorted, as `JSONWriter` writes every object). Search answers copy it verbatim:
/// writing each hit's metadata from `[String: JSONValue]` was a third of vectord's CPU per
/// retrieve. It also takes less memory than the parsed fields. Filters are answered from the
/// postings, built from the fields at insert; the few readers that need the fields (a filter the
/// postings cannot answer, `item`, snapshots, compaction) parse them back, and get exactly what
/// was inserted: `JSONWriter` writes a number so that strtod reads back the same Double.
enum MetadataJSON {
    static let empty: [UInt8] = Array("{}".utf8)

    /// The fields' JSON object text, in an array of exactly its size (it is kept per item).
    static func encode(_ fields: [String: JSONValue]) -> [UInt8] {
        if fields.isEmpty { return empty }
        var writer = JSONWriter(capacity: 512)
        writer.object(fields)
        let text = writer.bytes
        return [UInt8](unsafeUninitializedCapacity: text.count) { buffer, count in
            _ = buffer.initialize(from: text)
            count = text.count
        }
    }

    /// The fields of text `encode` wrote.
    static func decode(_ text: [UInt8]) -> [String: JSONValue] {
        let read = text.withUnsafeBytes { raw -> [String: JSONValue]? in
            var reader = JSONReader<APIError>(raw)
            guard case .object(let fields)? = try? reader.readValue() else { return nil }
            return fields
        }
        // Nesting deeper than the pull reader's limit (64) can come from items stored before it
        // read upserts (JSONDecoder allowed more): Foundation reads those.
        return read ?? (try? JSONCoding.decode([String: JSONValue].self, from: text)) ?? [:]
    }
}
