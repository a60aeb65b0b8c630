/// OpenAI's embeddings API as it is on the wire: `POST {base}/v1/embeddings` with
/// `Authorization: Bearer <key>` (API reference, "Create embeddings").
///
///     → {"model":"text-embedding-3-small","input":["a","b"],"encoding_format":"float"}
///     ← {"object":"list","data":[{"object":"embedding","index":0,"embedding":[…]},…],
///        "model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}
///     ← 401 {"error":{"message":"Incorrect API key provided…","type":"invalid_request_error",…}}
///
/// `data` carries an `index` per item; the API does not promise array order, so readers sort by it.
public struct OpenAIEmbeddingsRequest: Codable, Sendable, Equatable {
    public var model: String
    public var input: [String]
    /// `float` (JSON numbers) or `base64` (little-endian float32 bytes). We always ask for `float`.
    public var encodingFormat: String?
    /// Output dimensions, for models that can shorten their vectors (text-embedding-3-*).
    public var dimensions: Int?

    public init(model: String, input: [String], encodingFormat: String? = "float", dimensions: Int? = nil) {
        self.model = model
        self.input = input
        self.encodingFormat = encodingFormat
        self.dimensions = dimensions
    }

    enum CodingKeys: String, CodingKey {
        case model, input, dimensions
        case encodingFormat = "encoding_format"
    }
}

public struct OpenAIEmbeddingsResponse: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var object: String?
        public var index: Int
        public var embedding: [Double]

        public init(index: Int, embedding: [Double]) {
            self.object = "embedding"
            self.index = index
            self.embedding = embedding
        }
    }

    public struct Usage: Codable, Sendable, Equatable {
        public var promptTokens: Int
        public var totalTokens: Int

        public init(promptTokens: Int, totalTokens: Int) {
            self.promptTokens = promptTokens
            self.totalTokens = totalTokens
        }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case totalTokens = "total_tokens"
        }
    }

    public var object: String?
    public var data: [Item]
    public var model: String?
    public var usage: Usage?

    public init(data: [Item], model: String?, usage: Usage?) {
        self.object = "list"
        self.data = data
        self.model = model
        self.usage = usage
    }
}

/// OpenAI's error body; only `message` is relied on (`code` and `param` may be null or absent).
public struct OpenAIErrorReply: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var message: String
        public var type: String?

        public init(message: String, type: String?) {
            self.message = message
            self.type = type
        }
    }

    public var error: Detail

    public init(error: Detail) { self.error = error }
}
