import LakehouseKit
/// Size limits on one request, from `EMBEDD_MAX_TEXTS` and `EMBEDD_MAX_TEXT_BYTES`.
public struct EmbedLimits: Sendable, Equatable {
    public static let defaultMaxTexts = 2048
    public static let defaultMaxTextBytes = 64 * 1024

    public var maxTexts: Int
    public var maxTextBytes: Int

    public init(maxTexts: Int = EmbedLimits.defaultMaxTexts, maxTextBytes: Int = EmbedLimits.defaultMaxTextBytes) {
        self.maxTexts = maxTexts
        self.maxTextBytes = maxTextBytes
    }
}

/// How the OpenAI-compatible route returns each embedding: `float` (a JSON array, the default) or
/// `base64` (the little-endian float32 bytes, base64-encoded), which OpenAI's own client libraries
/// ask for by default.
public enum EmbeddingEncoding: String, Sendable, Equatable {
    case float, base64
}

/// One embedding request, from either wire shape, checked against the limits.
///
/// - `POST /v1/embed` `{"texts":[…],"model"?}`: strict, unknown fields are rejected (a typo such as
///   `"text"` fails loudly instead of being ignored).
/// - `POST /v1/embeddings` `{"input": str | [str], "model"?, "encoding_format"?, "dimensions"?, "user"?}`:
///   OpenAI's shape; other fields are ignored, as existing clients send extras. Token-array inputs
///   are rejected: this service embeds text.
///
/// `model: null` means no model, as if absent.
public struct EmbedRequest: Sendable, Equatable {
    public var texts: [String]
    public var model: String?
    /// OpenAI shape only.
    public var encoding: EmbeddingEncoding
    /// OpenAI shape only: the dimensions the client expects; a model that returns another size is a 400.
    public var dimensions: Int?

    public init(texts: [String], model: String? = nil, encoding: EmbeddingEncoding = .float, dimensions: Int? = nil) {
        self.texts = texts
        self.model = model
        self.encoding = encoding
        self.dimensions = dimensions
    }

    /// Decodes and validates a `POST /v1/embed` body.
    public static func decodeEmbed(_ body: [UInt8], limits: EmbedLimits) throws(EmbedError) -> EmbedRequest {
        // `Array.withUnsafeBytes` rethrows untyped errors; carry the typed one out in a Result.
        try body.withUnsafeBytes { raw in
            Result { () throws(EmbedError) -> EmbedRequest in try decodeEmbed(raw, limits: limits) }
        }.get()
    }

    /// Decodes and validates a `POST /v1/embeddings` (OpenAI-compatible) body.
    public static func decodeOpenAI(_ body: [UInt8], limits: EmbedLimits) throws(EmbedError) -> EmbedRequest {
        // `Array.withUnsafeBytes` rethrows untyped errors; carry the typed one out in a Result.
        try body.withUnsafeBytes { raw in
            Result { () throws(EmbedError) -> EmbedRequest in try decodeOpenAI(raw, limits: limits) }
        }.get()
    }

    public static func decodeEmbed(_ body: UnsafeRawBufferPointer, limits: EmbedLimits) throws(EmbedError) -> EmbedRequest {
        var reader = JSONReader<EmbedError>(body)
        var texts: [String]? = nil
        var model: String? = nil
        var seen: Set<String> = []
        try expectObject(&reader)
        try reader.readObject { (key, reader) throws(EmbedError) in
            guard seen.insert(key).inserted else { throw .badRequest("field \"\(key)\" appears twice") }
            switch key {
            case "texts": texts = try readTextList(&reader, field: "texts", limits: limits)
            case "model": model = try readModel(&reader)
            default: throw .badRequest("unknown field \"\(key)\"; a /v1/embed request has \"texts\" and \"model\"")
            }
        }
        try reader.expectEnd()
        guard let texts else { throw .badRequest("field \"texts\" is missing: send {\"texts\":[\"…\"]}") }
        try validate(texts, field: "texts", limits: limits)
        return EmbedRequest(texts: texts, model: model)
    }

    public static func decodeOpenAI(_ body: UnsafeRawBufferPointer, limits: EmbedLimits) throws(EmbedError) -> EmbedRequest {
        var reader = JSONReader<EmbedError>(body)
        var texts: [String]? = nil
        var model: String? = nil
        var encoding = EmbeddingEncoding.float
        var dimensions: Int? = nil
        var seen: Set<String> = []
        try expectObject(&reader)
        try reader.readObject { (key, reader) throws(EmbedError) in
            guard seen.insert(key).inserted else { throw .badRequest("field \"\(key)\" appears twice") }
            switch key {
            case "input":
                if try reader.peekKind() == .string {
                    texts = [try reader.readString()]
                } else {
                    texts = try readTextList(&reader, field: "input", limits: limits)
                }
            case "model":
                model = try readModel(&reader)
            case "encoding_format":
                if try reader.peekKind() == .null {
                    try reader.readNull()
                } else {
                    guard try reader.peekKind() == .string,
                        let format = EmbeddingEncoding(rawValue: try reader.readString())
                    else {
                        throw .badRequest("field \"encoding_format\" must be \"float\" or \"base64\"")
                    }
                    encoding = format
                }
            case "dimensions":
                if try reader.peekKind() == .null {
                    try reader.readNull()
                } else {
                    guard try reader.peekKind() == .number, let value = try reader.readNumber(), value > 0 else {
                        throw .badRequest("field \"dimensions\" must be a positive integer")
                    }
                    dimensions = value
                }
            default:
                try reader.skipValue()  // "user" and any extension field: accepted and ignored
            }
        }
        try reader.expectEnd()
        guard let texts else { throw .badRequest("field \"input\" is missing: send {\"input\":\"…\"} or {\"input\":[\"…\"]}") }
        try validate(texts, field: "input", limits: limits)
        return EmbedRequest(texts: texts, model: model, encoding: encoding, dimensions: dimensions)
    }

    /// The checks every request passes, whichever way it arrived (also used for in-process callers).
    public static func validate(_ texts: [String], field: String = "texts", limits: EmbedLimits) throws(EmbedError) {
        guard !texts.isEmpty else { throw .badRequest("field \"\(field)\" must not be empty") }
        guard texts.count <= limits.maxTexts else {
            throw .tooLarge("too many texts: \(texts.count); at most \(limits.maxTexts) per request")
        }
        for (i, text) in texts.enumerated() where text.utf8.count > limits.maxTextBytes {
            throw .tooLarge("\(field)[\(i)] is \(text.utf8.count) bytes; at most \(limits.maxTextBytes) per text")
        }
    }

    /// OpenAI's `usage` needs token counts, which depend on a tokenizer this service does not have; we
    /// report the number of whitespace-separated words, a documented approximation (real BPE
    /// tokenizers give about 1.3 tokens a word for English).
    public static func approximateTokenCount(_ texts: [String]) -> Int {
        var count = 0
        for text in texts {
            var inWord = false
            for byte in text.utf8 {
                let space = byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
                if !space && !inWord { count += 1 }
                inWord = !space
            }
        }
        return count
    }

    // MARK: - Pieces

    private static func expectObject(_ reader: inout JSONReader<EmbedError>) throws(EmbedError) {
        guard try reader.peekKind() == .object else { throw .badRequest("body must be a JSON object") }
    }

    private static func readModel(_ reader: inout JSONReader<EmbedError>) throws(EmbedError) -> String? {
        switch try reader.peekKind() {
        case .null:
            try reader.readNull()
            return nil
        case .string:
            let model = try reader.readString()
            guard !model.isEmpty else { throw .badRequest("field \"model\" must not be empty") }
            return model
        default:
            throw .badRequest("field \"model\" must be a string")
        }
    }

    private static func readTextList(_ reader: inout JSONReader<EmbedError>, field: String, limits: EmbedLimits) throws(EmbedError)
        -> [String]
    {
        guard try reader.peekKind() == .array else {
            throw .badRequest("field \"\(field)\" must be \(field == "input" ? "a string or " : "")an array of strings")
        }
        var texts: [String] = []
        try reader.readArray { (index, reader) throws(EmbedError) in
            // Fail before reading the rest of a huge list.
            guard index < limits.maxTexts else {
                throw .tooLarge("too many texts: more than \(limits.maxTexts); at most \(limits.maxTexts) per request")
            }
            let kind = try reader.peekKind()
            guard kind == .string else {
                if field == "input" && (kind == .number || kind == .array) {
                    throw .badRequest("token arrays are not supported in \"input\"; send text")
                }
                throw .badRequest("\(field)[\(index)] is \(describe(kind)), not a string")
            }
            texts.append(try reader.readString())
        }
        return texts
    }

    private static func describe(_ kind: JSONKind) -> String {
        switch kind {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}
