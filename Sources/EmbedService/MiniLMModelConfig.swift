import Foundation

/// The shape of a BERT-family sentence-transformers model, from the files that ship with it:
/// `config.json` (the encoder), `1_Pooling/config.json` (mean pooling is the only one supported)
/// and `sentence_bert_config.json` (the truncation length; 256 for all-MiniLM-L6-v2).
public struct MiniLMModelConfig: Sendable, Equatable {
    public var hidden: Int
    public var layers: Int
    public var heads: Int
    public var intermediate: Int
    public var vocabularySize: Int
    public var maxPositions: Int
    public var tokenTypes: Int
    public var layerNormEpsilon: Float
    /// Tokens per text after truncation, `[CLS]` and `[SEP]` included.
    public var maxSequenceLength: Int

    /// The kernels compute attention heads of up to four 16-lane vectors.
    static let headSizes: Set<Int> = [16, 32, 48, 64]

    public init(directory: String) throws(MiniLMModelError) {
        let path = directory + "/config.json"
        let config = try Self.object(path)
        func integer(_ key: String, in range: ClosedRange<Int>) throws(MiniLMModelError) -> Int {
            guard let value = config[key] as? Int, range.contains(value) else {
                throw MiniLMModelError(path, "\(key) must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        if let type = config["model_type"] as? String, type != "bert" {
            throw MiniLMModelError(path, "model_type \"\(type)\" is not supported; expected \"bert\"")
        }
        if let activation = config["hidden_act"] as? String, activation != "gelu" {
            throw MiniLMModelError(path, "hidden_act \"\(activation)\" is not supported; expected \"gelu\"")
        }
        if let embedding = config["position_embedding_type"] as? String, embedding != "absolute" {
            throw MiniLMModelError(path, "position_embedding_type \"\(embedding)\" is not supported; expected \"absolute\"")
        }
        hidden = try integer("hidden_size", in: 16...8192)
        layers = try integer("num_hidden_layers", in: 1...128)
        heads = try integer("num_attention_heads", in: 1...128)
        intermediate = try integer("intermediate_size", in: 16...65536)
        vocabularySize = try integer("vocab_size", in: 5...1_000_000)
        maxPositions = try integer("max_position_embeddings", in: 2...65536)
        tokenTypes = try integer("type_vocab_size", in: 1...16)
        guard hidden % heads == 0, Self.headSizes.contains(hidden / heads) else {
            throw MiniLMModelError(path, "hidden_size \(hidden) with \(heads) heads: heads of 16, 32, 48 or 64 are supported")
        }
        guard intermediate % 16 == 0 else { throw MiniLMModelError(path, "intermediate_size must be a multiple of 16") }
        guard let epsilon = config["layer_norm_eps"] as? Double, epsilon > 0, epsilon < 1 else {
            throw MiniLMModelError(path, "layer_norm_eps must be a number between 0 and 1")
        }
        layerNormEpsilon = Float(epsilon)

        let poolingPath = directory + "/1_Pooling/config.json"
        let pooling = try Self.object(poolingPath)
        guard pooling["pooling_mode_mean_tokens"] as? Bool == true,
            ["pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens"].allSatisfy({ pooling[$0] as? Bool != true })
        else {
            throw MiniLMModelError(poolingPath, "only mean pooling (pooling_mode_mean_tokens alone) is supported")
        }
        if let dimension = pooling["word_embedding_dimension"], dimension as? Int != hidden {
            throw MiniLMModelError(poolingPath, "word_embedding_dimension \(dimension) differs from hidden_size \(hidden)")
        }

        maxSequenceLength = min(256, maxPositions)
        let sentencePath = directory + "/sentence_bert_config.json"
        if FileManager.default.fileExists(atPath: sentencePath) {
            guard let length = try Self.object(sentencePath)["max_seq_length"] as? Int, (2...maxPositions).contains(length) else {
                throw MiniLMModelError(sentencePath, "max_seq_length must be an integer from 2 to \(maxPositions)")
            }
            maxSequenceLength = length
        }
    }

    private static func object(_ path: String) throws(MiniLMModelError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { throw MiniLMModelError(path, "missing or unreadable") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MiniLMModelError(path, "not a JSON object")
        }
        return object
    }
}
