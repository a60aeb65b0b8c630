import Foundation

/// A tiny BERT sentence-transformers model directory written from scratch (1 layer, 32 hidden,
/// 2 heads of 16, 8-token vocabulary, random weights): enough for embedd to load and serve, and
/// the base every broken-model test damages one file of.
struct TinyBertModel {
    static let hidden = 32, intermediate = 64, vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "forklift", "nurse", "driver"]
    static let positions = 16

    var config: [String: Any] = [
        "model_type": "bert", "hidden_act": "gelu", "hidden_size": hidden, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": intermediate, "vocab_size": vocabulary.count, "max_position_embeddings": positions,
        "type_vocab_size": 2, "layer_norm_eps": 1e-12, "position_embedding_type": "absolute",
    ]
    var tensors: [(name: String, shape: [Int])] = {
        let h = hidden, i = intermediate
        var list: [(String, [Int])] = [
            ("embeddings.word_embeddings.weight", [vocabulary.count, h]), ("embeddings.position_embeddings.weight", [positions, h]),
            ("embeddings.token_type_embeddings.weight", [2, h]), ("embeddings.LayerNorm.weight", [h]), ("embeddings.LayerNorm.bias", [h]),
        ]
        let p = "encoder.layer.0."
        for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
            list += [(p + name + ".weight", [h, h]), (p + name + ".bias", [h])]
        }
        list += [
            (p + "attention.output.LayerNorm.weight", [h]), (p + "attention.output.LayerNorm.bias", [h]),
            (p + "intermediate.dense.weight", [i, h]), (p + "intermediate.dense.bias", [i]),
            (p + "output.dense.weight", [h, i]), (p + "output.dense.bias", [h]),
            (p + "output.LayerNorm.weight", [h]), (p + "output.LayerNorm.bias", [h]),
        ]
        return list
    }()
    /// Shapes written into the header in place of the true ones (the data keeps the true size).
    var lyingShapes: [String: [Int]] = [:]
    var vocabularyLines = vocabulary

    /// Writes the model files into `directory` (created).
    func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory + "/1_Pooling", withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: directory + "/config.json"))
        try Data(#"{"word_embedding_dimension": 32, "pooling_mode_mean_tokens": true, "pooling_mode_cls_token": false}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/1_Pooling/config.json"))
        try Data(#"{"max_seq_length": 16, "do_lower_case": false}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/sentence_bert_config.json"))
        try Data((vocabularyLines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/vocab.txt"))

        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var data = Data()
        var seed: UInt32 = 12345
        for (name, shape) in tensors {
            let count = shape.reduce(1, *)
            header[name] = ["dtype": "F32", "shape": lyingShapes[name] ?? shape, "data_offsets": [data.count, data.count + count * 4]]
            for _ in 0..<count {
                seed = seed &* 1_103_515_245 &+ 12345
                var value = (Float(seed >> 8) / Float(1 << 24) - 0.5) * 0.2
                if name.hasSuffix("LayerNorm.weight") { value += 1 }
                withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
        }
        let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(data)
        try file.write(to: URL(fileURLWithPath: directory + "/model.safetensors"))
    }
}
