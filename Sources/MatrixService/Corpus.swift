import Foundation
import LakehouseKit

/// A named collection of records in one vectord index: which record fields make the text that is
/// embedded, and which field (if any) carries the role the role gate compares.
public struct Corpus: Codable, Sendable, Equatable {
    public var name: String
    public var index: String
    public var textFields: [String]
    public var roleField: String?
    /// Dimensions of the embedding model when the corpus was created (the index's dims).
    public var dims: Int
    /// The embedd model whose vectors the corpus holds. Equal dims do not make one vector space
    /// (`hash-384` and `all-minilm-l6-v2` both have 384), so vectors of any other model are refused.
    /// nil for a corpus stored before matrixd recorded models: it learns its model at its next PUT.
    public var model: String?

    enum CodingKeys: String, CodingKey {
        case name, index
        case textFields = "text_fields"
        case roleField = "role_field"
        case dims, model
    }

    /// The same corpus apart from the model it records.
    func sameDefinition(as other: Corpus) -> Bool {
        name == other.name && index == other.index && textFields == other.textFields && roleField == other.roleField && dims == other.dims
    }

    /// Refuses vectors that `model` made when the corpus holds another model's: a search or an
    /// upsert across two models would run without error and answer nonsense.
    func requireModel(_ model: String) throws(MatrixError) {
        guard let own = self.model, own != model else { return }
        throw MatrixError(.conflict, "corpus '\(name)' holds vectors of embedding model '\(own)', but embedd now embeds with '\(model)', whose vectors cannot be compared with them; point embedd back at '\(own)' (EMBEDD_PROVIDER, EMBEDD_MODEL), or DELETE /v1/corpora/\(name), PUT it again and ingest its records again")
    }

    /// Corpus and index names: `[a-z0-9_-]{1,64}` (the same rule as vectord's index names).
    static func validName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// The text embedded for a record: its `textFields` in order, strings as they are, lists joined,
    /// numbers and booleans spelled out, missing fields skipped.
    func text(of record: [String: JSONValue]) -> String {
        var parts: [String] = []
        for field in textFields {
            guard let value = record[field] else { continue }
            Corpus.append(value, to: &parts)
        }
        return parts.joined(separator: " ")
    }

    private static func append(_ value: JSONValue, to parts: inout [String]) {
        switch value {
        case .string(let text): if !text.isEmpty { parts.append(text) }
        case .number(let number): parts.append(number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number))
        case .bool(let flag): parts.append(flag ? "true" : "false")
        case .array(let items): for item in items { append(item, to: &parts) }
        case .object, .null: break
        }
    }

    func missingIndex() -> MatrixError {
        MatrixError(.notFound, "corpus '\(name)' points at vectord index '\(index)', which does not exist (deleted in vectord?); PUT /v1/corpora/\(name) again to recreate it")
    }
}

/// `PUT /v1/corpora/{name}` body.
struct CorpusDefinition: Decodable, Sendable {
    let index: String
    let textFields: [String]
    let roleField: String?

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case index
        case textFields = "text_fields"
        case roleField = "role_field"
    }

    init(index: String, textFields: [String], roleField: String?) {
        self.index = index
        self.textFields = textFields
        self.roleField = roleField
    }

    init(from decoder: any Decoder) throws {
        try JSONCoding.rejectUnknownFields(decoder, allowed: Set(CodingKeys.allCases.map(\.rawValue)))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decode(String.self, forKey: .index)
        textFields = try container.decode([String].self, forKey: .textFields)
        roleField = try container.decodeIfPresent(String.self, forKey: .roleField)
    }

    func validated() throws(MatrixError) -> CorpusDefinition {
        guard Corpus.validName(index) else { throw .badRequest("index '\(index)' is not a valid index name: [a-z0-9_-]{1,64}") }
        guard !textFields.isEmpty, textFields.allSatisfy({ !$0.isEmpty }), textFields.count <= 64 else {
            throw .badRequest("text_fields must name 1 to 64 non-empty record fields")
        }
        if let roleField, roleField.isEmpty { throw .badRequest("role_field must not be empty") }
        return self
    }
}
