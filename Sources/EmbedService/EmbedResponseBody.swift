/// The two response shapes, assembled by concatenating bytes: each vector's JSON array was encoded
/// once, when it entered the cache, so a warm response costs one allocation and a few copies.
///
/// - `POST /v1/embed` → `{"model":"hash-384","dims":384,"vectors":[[…],[…]]}`, in request order.
/// - `POST /v1/embeddings` → OpenAI's shape exactly:
///   `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[…]}],"model":"…",
///   "usage":{"prompt_tokens":n,"total_tokens":n}}`, with `embedding` a base64 string when asked.
public enum EmbedResponseBody {
    public static func embed(_ result: EmbedResult) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(result.embeddings.reduce(64 + result.model.utf8.count) { $0 + $1.json.count + 1 })
        append("{\"model\":", to: &body)
        JSONStringFormat.append(result.model, to: &body)
        append(",\"dims\":", to: &body)
        append(String(result.dims), to: &body)
        append(",\"vectors\":[", to: &body)
        for (i, vector) in result.embeddings.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: vector.json)
        }
        append("]}", to: &body)
        return body
    }

    /// The OpenAI shape for `request`: its encoding, and its word count as `usage` (see
    /// `EmbedRequest.approximateTokenCount`).
    public static func openAI(_ result: EmbedResult, for request: EmbedRequest) -> [UInt8] {
        openAI(result, encoding: request.encoding, promptTokens: EmbedRequest.approximateTokenCount(request.texts))
    }

    public static func openAI(_ result: EmbedResult, encoding: EmbeddingEncoding, promptTokens: Int) -> [UInt8] {
        var body: [UInt8] = []
        let perItem = encoding == .float ? result.embeddings.first?.json.count ?? 0 : (result.dims * 4 + 2) / 3 * 4 + 2
        body.reserveCapacity(128 + result.model.utf8.count + result.embeddings.count * (perItem + 56))
        append("{\"object\":\"list\",\"data\":[", to: &body)
        for (i, vector) in result.embeddings.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            append("{\"object\":\"embedding\",\"index\":", to: &body)
            append(String(i), to: &body)
            append(",\"embedding\":", to: &body)
            switch encoding {
            case .float:
                body.append(contentsOf: vector.json)
            case .base64:
                body.append(UInt8(ascii: "\""))
                Base64.appendFloat32LittleEndian(vector.values, to: &body)
                body.append(UInt8(ascii: "\""))
            }
            body.append(UInt8(ascii: "}"))
        }
        append("],\"model\":", to: &body)
        JSONStringFormat.append(result.model, to: &body)
        append(",\"usage\":{\"prompt_tokens\":", to: &body)
        append(String(promptTokens), to: &body)
        append(",\"total_tokens\":", to: &body)
        append(String(promptTokens), to: &body)
        append("}}", to: &body)
        return body
    }

    @inline(__always)
    private static func append(_ text: String, to body: inout [UInt8]) {
        body.append(contentsOf: text.utf8)
    }
}

/// JSON string literals (RFC 8259 §7): quotes, backslash and control characters escaped, the rest
/// copied as UTF-8.
enum JSONStringFormat {
    static func append(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// Standard base64 (RFC 4648 §4, with padding) of float32 values in little-endian byte order, the
/// `encoding_format: "base64"` form OpenAI clients decode with `np.frombuffer(…, dtype="float32")`.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func appendFloat32LittleEndian(_ values: [Float], to bytes: inout [UInt8]) {
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * 4)
        for value in values {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { raw.append(contentsOf: $0) }
        }
        append(raw, to: &bytes)
    }

    static func append(_ data: [UInt8], to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + (data.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= data.count {
            let n = UInt32(data[i]) << 16 | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2])
            bytes.append(alphabet[Int(n >> 18 & 63)])
            bytes.append(alphabet[Int(n >> 12 & 63)])
            bytes.append(alphabet[Int(n >> 6 & 63)])
            bytes.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = data.count - i
        if rest > 0 {
            let n = UInt32(data[i]) << 16 | (rest == 2 ? UInt32(data[i + 1]) << 8 : 0)
            bytes.append(alphabet[Int(n >> 18 & 63)])
            bytes.append(alphabet[Int(n >> 12 & 63)])
            bytes.append(rest == 2 ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            bytes.append(UInt8(ascii: "="))
        }
    }
}
