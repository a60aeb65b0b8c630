import LakehouseKit

/// `POST /v1/validate` as validatord reads it: `ValidateRequest` with the payload decoded by kind,
/// in one pass, so a payload of the wrong shape is a 400 naming the field
/// (`field 'payload.candidates[0].worker_id': expected a string`).
struct ValidateBody: Decodable {
    enum Payload {
        case fill(FillProposal)
        case email(ClientEmail)
    }

    let payload: Payload
    let context: ValidationContext?

    enum CodingKeys: String, CodingKey {
        case kind, payload, context
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(String.self, forKey: .kind)
        switch kind {
        case "fill": payload = .fill(try container.decode(FillProposal.self, forKey: .payload))
        case "email": payload = .email(try container.decode(ClientEmail.self, forKey: .payload))
        default: throw APIError.badRequest("kind '\(kind)' is not one of fill, email")
        }
        context = try container.decodeIfPresent(ValidationContext.self, forKey: .context)
        if case .email = payload, context?.fill == nil {
            throw APIError.badRequest("kind email needs context.fill (the fill the e-mail presents: its candidates' names and ids)")
        }
    }

    /// `{"valid":…,"violations":[{"message","path","rule","severity"}]}`, written directly (keys
    /// sorted like every other answer of the fleet).
    static func encode(_ violations: [Violation]) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + violations.count * 200)
        writer.raw(violations.contains { $0.severity == .error } ? "{\"valid\":false,\"violations\":[" : "{\"valid\":true,\"violations\":[")
        for (position, violation) in violations.enumerated() {
            writer.raw(position == 0 ? "{\"message\":" : ",{\"message\":")
            writer.string(violation.message)
            writer.raw(",\"path\":")
            writer.string(violation.path)
            writer.raw(",\"rule\":")
            writer.string(violation.rule)
            writer.raw(violation.severity == .error ? ",\"severity\":\"error\"}" : ",\"severity\":\"warning\"}")
        }
        writer.raw("]}")
        return writer.bytes
    }
}
