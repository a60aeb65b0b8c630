import MiniLMKernels

/// The encoder's weights, copied out of `model.safetensors` once at load: embedding tables as they
/// are, every `Linear` weight repacked into the matrix kernel's 16-column panels (query, key and
/// value fused into one 3·hidden-wide product). One 64-byte-aligned allocation holds them all; the
/// mapped file is released after loading.
final class MiniLMWeights: @unchecked Sendable {
    struct Linear {
        let packed: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
        let outputs: Int
        let inputs: Int
    }

    struct Norm {
        let gamma: UnsafePointer<Float>
        let beta: UnsafePointer<Float>
    }

    struct Layer {
        let queryKeyValue: Linear
        let attentionOutput: Linear
        let attentionNorm: Norm
        let intermediate: Linear
        let output: Linear
        let outputNorm: Norm
    }

    let config: MiniLMModelConfig
    let wordEmbeddings: UnsafePointer<Float>
    let positionEmbeddings: UnsafePointer<Float>
    /// Token type 0's row: every text is a single segment.
    let tokenTypeEmbedding: UnsafePointer<Float>
    let embeddingNorm: Norm
    let layers: [Layer]
    /// Bytes held (the resident size of the model).
    let byteCount: Int
    private let storage: UnsafeMutableRawPointer

    init(file: SafeTensors, config: MiniLMModelConfig) throws(MiniLMModelError) {
        self.config = config
        let h = config.hidden, i = config.intermediate
        let floatsPerLayer = 3 * h * h + 3 * h + h * h + h + 2 * h + i * h + i + h * i + h + 2 * h
        let floats = config.vocabularySize * h + config.maxPositions * h + h + 2 * h + config.layers * floatsPerLayer
        byteCount = floats * 4
        storage = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        var cursor = storage.bindMemory(to: Float.self, capacity: floats)
        func take(_ count: Int) -> UnsafeMutablePointer<Float> {
            defer { cursor += count }
            return cursor
        }
        func copy(_ name: String, _ shape: [Int]) throws(MiniLMModelError) -> UnsafePointer<Float> {
            let source = try file.floats(name, shape: shape)
            let target = take(source.count)
            target.update(from: source.baseAddress!, count: source.count)
            file.release(name)
            return UnsafePointer(target)
        }
        func norm(_ prefix: String) throws(MiniLMModelError) -> Norm {
            Norm(gamma: try copy(prefix + ".weight", [h]), beta: try copy(prefix + ".bias", [h]))
        }
        func linear(_ prefixes: [String], outputs: Int, inputs: Int) throws(MiniLMModelError) -> Linear {
            // Several PyTorch Linears with the same input are stacked (rows) into one product.
            let weight = UnsafeMutablePointer<Float>.allocate(capacity: outputs * prefixes.count * inputs)
            defer { weight.deallocate() }
            let bias = take(outputs * prefixes.count)
            for (index, prefix) in prefixes.enumerated() {
                let w = try file.floats(prefix + ".weight", shape: [outputs, inputs])
                (weight + index * outputs * inputs).update(from: w.baseAddress!, count: w.count)
                let b = try file.floats(prefix + ".bias", shape: [outputs])
                (bias + index * outputs).update(from: b.baseAddress!, count: b.count)
                file.release(prefix + ".weight")
            }
            let packed = take(outputs * prefixes.count * inputs)
            PortableKernels.pack(weight: weight, n: outputs * prefixes.count, k: inputs, into: packed)
            return Linear(packed: packed, bias: bias, outputs: outputs * prefixes.count, inputs: inputs)
        }

        do {
            wordEmbeddings = try copy("embeddings.word_embeddings.weight", [config.vocabularySize, h])
            positionEmbeddings = try copy("embeddings.position_embeddings.weight", [config.maxPositions, h])
            let types = try file.floats("embeddings.token_type_embeddings.weight", shape: [config.tokenTypes, h])
            let typeRow = take(h)
            typeRow.update(from: types.baseAddress!, count: h)
            tokenTypeEmbedding = UnsafePointer(typeRow)
            embeddingNorm = try norm("embeddings.LayerNorm")
            var layers: [Layer] = []
            for index in 0..<config.layers {
                let p = "encoder.layer.\(index)."
                layers.append(
                    Layer(
                        queryKeyValue: try linear(
                            [p + "attention.self.query", p + "attention.self.key", p + "attention.self.value"], outputs: h, inputs: h),
                        attentionOutput: try linear([p + "attention.output.dense"], outputs: h, inputs: h),
                        attentionNorm: try norm(p + "attention.output.LayerNorm"),
                        intermediate: try linear([p + "intermediate.dense"], outputs: i, inputs: h),
                        output: try linear([p + "output.dense"], outputs: h, inputs: i),
                        outputNorm: try norm(p + "output.LayerNorm")))
            }
            self.layers = layers
        } catch {
            storage.deallocate()
            throw error
        }
        precondition(cursor == storage.assumingMemoryBound(to: Float.self) + floats, "weight layout miscounted")
    }

    deinit { storage.deallocate() }
}
