import Dispatch
import MiniLMKernels

/// The sentence-transformers forward pass: token + position + type embeddings and LayerNorm, the
/// BERT encoder layers (fused QKV product, softmax attention per head, output product, residual +
/// LayerNorm, GELU feed-forward, residual + LayerNorm), mean pooling over the text's tokens and L2
/// normalisation.
///
/// The texts of a batch are packed end to end, with no padding: attention runs per text, so a
/// padded batch with an attention mask (what PyTorch computes) gives the same vectors while doing
/// work for the padding too. Batches are cut into chunks of at most `maxChunkTokens` tokens to
/// bound the scratch memory. Each matrix product is split by column panels over `threads`
/// threads, attention by (text, head), LayerNorm by rows.
///
/// Not reentrant: one `encode` at a time (its scratch buffers are reused); `MiniLMEmbedProvider`
/// serialises calls on its own queue.
final class MiniLMEncoder: @unchecked Sendable {
    let weights: MiniLMWeights
    let kernels: any EncoderKernelSet.Type
    let threads: Int
    static let maxChunkTokens = 2048

    private var scratch: UnsafeMutablePointer<Float>?
    private var scratchTokens = 0

    init(weights: MiniLMWeights, kernels: any EncoderKernelSet.Type, threads: Int) {
        precondition(threads >= 1)
        self.weights = weights
        self.kernels = kernels
        self.threads = threads
    }

    deinit { scratch?.deallocate() }

    /// One unit vector per token sequence (each already `[CLS] … [SEP]` and within the position limit).
    func encode(_ sequences: [[Int32]]) -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(sequences.count)
        var start = 0
        while start < sequences.count {
            var end = start
            var tokens = 0
            while end < sequences.count && (end == start || tokens + sequences[end].count <= Self.maxChunkTokens) {
                tokens += sequences[end].count
                end += 1
            }
            vectors.append(contentsOf: encodeChunk(sequences[start..<end], tokens: tokens))
            start = end
        }
        return vectors
    }

    private func buffers(tokens: Int) -> UnsafeMutablePointer<Float> {
        let config = weights.config
        let perToken = 3 * config.hidden + 3 * config.hidden + config.intermediate
        let needed = max(tokens, 64)
        if let scratch, scratchTokens >= needed { return scratch }
        scratch?.deallocate()
        let capacity = needed * perToken + threads * config.maxPositions
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64).bindMemory(to: Float.self, capacity: capacity)
        scratch = fresh
        scratchTokens = needed
        return fresh
    }

    private struct Parts: @unchecked Sendable {
        let run: (Int) -> Void
    }

    private func parallel(_ count: Int, _ body: (Int) -> Void) {
        if threads == 1 || count == 1 {
            for i in 0..<count { body(i) }
        } else {
            // The parts write disjoint ranges of the scratch buffers; concurrentPerform returns
            // only when all have finished, so the non-escaping body outlives none of them.
            withoutActuallyEscaping(body) { body in
                let parts = Parts(run: body)
                DispatchQueue.concurrentPerform(iterations: count) { parts.run($0) }
            }
        }
    }

    /// `0..<total` cut into `parts` nearly equal ranges.
    private static func share(_ part: Int, of parts: Int, _ total: Int) -> Range<Int> {
        (total * part / parts)..<(total * (part + 1) / parts)
    }

    private func encodeChunk(_ sequences: ArraySlice<[Int32]>, tokens t: Int) -> [[Float]] {
        let config = weights.config
        let h = config.hidden, inter = config.intermediate
        let base = buffers(tokens: t)
        let stride = scratchTokens
        let x = base
        let qkv = x + stride * h
        let context = qkv + stride * 3 * h
        let projected = context + stride * h
        let up = projected + stride * h
        let scores = up + stride * inter
        let kernels = self.kernels
        let threads = self.threads

        // Embeddings.
        var row = 0
        for sequence in sequences {
            for (position, id) in sequence.enumerated() {
                let target = x + row * h
                let word = weights.wordEmbeddings + Int(id) * h
                let positionRow = weights.positionEmbeddings + position * h
                for c in 0..<h { target[c] = word[c] + positionRow[c] + weights.tokenTypeEmbedding[c] }
                row += 1
            }
        }
        let norm = weights.embeddingNorm
        parallel(threads) { part in
            kernels.addLayerNorm(
                x: x, residual: nil, gamma: norm.gamma, beta: norm.beta, rows: Self.share(part, of: threads, t), dim: h,
                epsilon: config.layerNormEpsilon)
        }

        var offsets: [(start: Int, length: Int)] = []
        var offset = 0
        for sequence in sequences {
            offsets.append((offset, sequence.count))
            offset += sequence.count
        }
        let heads = config.heads
        let work = offsets.count * heads

        func product(_ linear: MiniLMWeights.Linear, _ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>, gelu: Bool) {
            let panels = linear.outputs / MatrixKernel.panelWidth
            parallel(threads) { part in
                kernels.multiply(
                    a: input, lda: linear.inputs, packed: linear.packed, bias: linear.bias, c: output, ldc: linear.outputs, m: t,
                    k: linear.inputs, panels: Self.share(part, of: threads, panels), gelu: gelu)
            }
        }

        for layer in weights.layers {
            product(layer.queryKeyValue, x, qkv, gelu: false)
            parallel(threads) { part in
                for item in Self.share(part, of: threads, work) {
                    let (start, length) = offsets[item / heads]
                    kernels.attention(
                        qkv: qkv + start * 3 * h, qkvStride: 3 * h, out: context + start * h, outStride: h, length: length,
                        head: item % heads, headSize: h / heads, hidden: h, scores: scores + part * config.maxPositions)
                }
            }
            product(layer.attentionOutput, context, projected, gelu: false)
            parallel(threads) { part in
                kernels.addLayerNorm(
                    x: x, residual: projected, gamma: layer.attentionNorm.gamma, beta: layer.attentionNorm.beta,
                    rows: Self.share(part, of: threads, t), dim: h, epsilon: config.layerNormEpsilon)
            }
            // x holds the attention block's output; projected gets the feed-forward output, then
            // x = LayerNorm(projected + x) is the layer's output.
            product(layer.intermediate, x, up, gelu: true)
            product(layer.output, up, projected, gelu: false)
            parallel(threads) { part in
                kernels.addLayerNorm(
                    x: x, residual: projected, gamma: layer.outputNorm.gamma, beta: layer.outputNorm.beta,
                    rows: Self.share(part, of: threads, t), dim: h, epsilon: config.layerNormEpsilon)
            }
        }

        // Mean pooling over each text's tokens, then L2 normalisation.
        return offsets.map { start, length in
            var sum = [Float](repeating: 0, count: h)
            for r in start..<(start + length) {
                let p = x + r * h
                for c in 0..<h { sum[c] += p[c] }
            }
            var squares: Float = 0
            for c in 0..<h {
                sum[c] /= Float(length)
                squares += sum[c] * sum[c]
            }
            let scale = 1 / max(squares.squareRoot(), 1e-12)
            return sum.map { $0 * scale }
        }
    }
}
