import LakehouseKit

/// A claim as truthd holds it: the wire claim plus its place in the log and its time as a number.
struct StoredClaim: Sendable {
    let claim: Claim
    /// Position in the claim log (ingest order); the last resort of the tie-break.
    let seq: Int
    let observedAt: Double
}

/// Claims from and to JSON, strictly: exactly the wire fields (`subject`, `attribute`, `value`,
/// `source`, `observed_at`, `confidence`?), non-empty names, an RFC 3339 time, a confidence in [0, 1].
enum ClaimCoding {
    static let maxNameBytes = 256
    static let fields = "attribute, confidence, observed_at, source, subject, value"

    static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws(TruthError) -> (Claim, Double) {
        var reader = JSONReader<APIError>(bytes)
        do {
            let claim = try read(&reader, path: path)
            try reader.expectEnd()
            return claim
        } catch {
            throw .invalid(error.message)
        }
    }

    static func read(_ reader: inout JSONReader<APIError>, path: String) throws(APIError) -> (Claim, Double) {
        var subject: String?, attribute: String?, value: JSONValue?, source: String?, observed: String?, confidence: Double?
        guard try reader.peekKind() == .object else { throw .badRequest("\(path): expected a claim object") }
        func name(_ r: inout JSONReader<APIError>, _ field: String) throws(APIError) -> String {
            guard try r.peekKind() == .string else { throw .badRequest("\(path).\(field): expected a string") }
            let s = try r.readString()
            guard !s.isEmpty, s.utf8.count <= maxNameBytes else { throw .badRequest("\(path).\(field): must be 1–\(maxNameBytes) bytes") }
            return s
        }
        try reader.readObject { (key, r) throws(APIError) in
            switch key {
            case "subject": subject = try name(&r, key)
            case "attribute": attribute = try name(&r, key)
            case "source": source = try name(&r, key)
            case "observed_at": observed = try name(&r, key)
            case "value": value = try r.readValue()
            case "confidence":
                if try r.peekKind() == .null {
                    try r.readNull()
                } else {
                    guard try r.peekKind() == .number else { throw .badRequest("\(path).confidence: expected a number from 0 to 1") }
                    confidence = try r.readDouble()
                }
            default: throw .badRequest("\(path): unknown field '\(key)'; expected: \(fields)")
            }
        }
        guard let subject else { throw .badRequest("\(path): missing field 'subject'") }
        guard let attribute else { throw .badRequest("\(path): missing field 'attribute'") }
        guard let value else { throw .badRequest("\(path): missing field 'value'") }
        guard let source else { throw .badRequest("\(path): missing field 'source'") }
        guard let observed else { throw .badRequest("\(path): missing field 'observed_at'") }
        guard let time = RFC3339.secondsSinceEpoch(observed) else {
            throw .badRequest("\(path).observed_at: '\(observed)' is not an RFC 3339 date-time (e.g. 2026-11-21T12:00:00Z)")
        }
        if let confidence, !(confidence >= 0 && confidence <= 1) {
            throw .badRequest("\(path).confidence: \(confidence) is outside 0…1")
        }
        return (Claim(subject: subject, attribute: attribute, value: value, source: source, observedAt: observed, confidence: confidence), time)
    }

    /// `{"claims":[…]}` → claims, bounded by `maxBatch` (413 beyond).
    static func decodeBatch(_ body: [UInt8], maxBatch: Int) throws(TruthError) -> [(Claim, Double)] {
        guard !body.isEmpty else { throw .invalid("request body is empty; expected {\"claims\":[…]}") }
        var claims: [(Claim, Double)] = []
        var sawClaims = false
        var tooMany = false
        do {
            try body.withUnsafeBytes { raw in
                var reader = JSONReader<APIError>(raw)
                guard try reader.peekKind() == .object else { throw APIError.badRequest("body: expected an object {\"claims\":[…]}") }
                try reader.readObject { (key, r) throws(APIError) in
                    guard key == "claims" else { throw .badRequest("unknown field '\(key)'; expected: claims") }
                    sawClaims = true
                    guard try r.peekKind() == .array else { throw .badRequest("field 'claims': expected an array") }
                    try r.readArray { (index, r) throws(APIError) in
                        if index >= maxBatch {
                            tooMany = true
                            try r.skipValue()
                            return
                        }
                        claims.append(try read(&r, path: "claims[\(index)]"))
                    }
                }
                try reader.expectEnd()
            }
        } catch let error as APIError {
            throw .invalid(error.message)
        } catch {
            throw .invalid("body is not valid JSON")
        }
        guard sawClaims else { throw .invalid("missing field 'claims'") }
        guard !tooMany else { throw .tooLarge("more than \(maxBatch) claims in one request (TRUTHD_MAX_BATCH); use POST /v1/claims/import for large files") }
        guard !claims.isEmpty else { throw .invalid("field 'claims': the batch is empty") }
        return claims
    }

    /// A claim's JSON (keys sorted), as logged and answered.
    static func encode(_ claim: Claim) -> [UInt8] {
        var w = JSONWriter(capacity: 160)
        write(claim, to: &w)
        return w.bytes
    }

    static func write(_ claim: Claim, to w: inout JSONWriter) {
        w.raw("{\"attribute\":")
        w.string(claim.attribute)
        if let confidence = claim.confidence {
            w.raw(",\"confidence\":")
            w.number(confidence)
        }
        w.raw(",\"observed_at\":")
        w.string(claim.observedAt)
        w.raw(",\"source\":")
        w.string(claim.source)
        w.raw(",\"subject\":")
        w.string(claim.subject)
        w.raw(",\"value\":")
        w.value(claim.value)
        w.raw("}")
    }
}
