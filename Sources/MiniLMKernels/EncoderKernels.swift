/// The encoder's other steps: residual + LayerNorm and one head of self-attention.
public enum EncoderKernels {
    /// `x[r] = LayerNorm(x[r] + residual[r]) · gamma + beta` for each row in `rows`; `dim` is a
    /// multiple of 16. Without `residual`, a plain LayerNorm (the embedding layer's).
    @inlinable @inline(__always)
    public static func addLayerNorm(
        x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        rows: Range<Int>, dim: Int, epsilon: Float, fused: Bool
    ) {
        let chunks = dim / 16
        for row in rows {
            let p = x + row * dim
            var sum = SIMD16<Float>()
            for i in 0..<chunks {
                var v = MatrixKernel.load(p + 16 * i)
                if let residual { v += MatrixKernel.load(residual + row * dim + 16 * i) }
                MatrixKernel.store(v, p + 16 * i)
                sum += v
            }
            let mean = MatrixKernel.sum(sum) / Float(dim)
            var squares = SIMD16<Float>()
            for i in 0..<chunks {
                let d = MatrixKernel.load(p + 16 * i) - mean
                squares = MatrixKernel.madd(squares, d, d, fused: fused)
            }
            let scale = 1 / (MatrixKernel.sum(squares) / Float(dim) + epsilon).squareRoot()
            for i in 0..<chunks {
                let normalised = (MatrixKernel.load(p + 16 * i) - mean) * scale
                let v = MatrixKernel.madd(MatrixKernel.load(beta + 16 * i), normalised, MatrixKernel.load(gamma + 16 * i), fused: fused)
                MatrixKernel.store(v, p + 16 * i)
            }
        }
    }

    /// One head of scaled dot-product attention over one sequence of `length` tokens, no mask (the
    /// sequence holds only real tokens). `qkv` rows hold Q | K | V (each `hidden` wide, `hidden /
    /// headSize` heads); the head's `headSize` (16, 32, 48 or 64) output columns of `out` are
    /// written. `scores` has room for `length` floats.
    @inlinable @inline(__always)
    public static func attention(
        qkv: UnsafePointer<Float>, qkvStride: Int, out: UnsafeMutablePointer<Float>, outStride: Int, length: Int,
        head: Int, headSize: Int, hidden: Int, scores: UnsafeMutablePointer<Float>, fused: Bool
    ) {
        let chunks = headSize / 16
        let headOffset = head * headSize
        let scale = 1 / Float(headSize).squareRoot()
        let zero = SIMD16<Float>()
        @inline(__always) func load(_ p: UnsafePointer<Float>, _ chunk: Int) -> SIMD16<Float> {
            chunk < chunks ? MatrixKernel.load(p + 16 * chunk) : zero
        }
        for i in 0..<length {
            let q = qkv + i * qkvStride + headOffset
            let q0 = load(q, 0), q1 = load(q, 1), q2 = load(q, 2), q3 = load(q, 3)
            var maximum = -Float.infinity
            for j in 0..<length {
                let kv = qkv + j * qkvStride + hidden + headOffset
                var d = q0 * MatrixKernel.load(kv)
                if chunks > 1 { d = MatrixKernel.madd(d, q1, MatrixKernel.load(kv + 16), fused: fused) }
                if chunks > 2 { d = MatrixKernel.madd(d, q2, MatrixKernel.load(kv + 32), fused: fused) }
                if chunks > 3 { d = MatrixKernel.madd(d, q3, MatrixKernel.load(kv + 48), fused: fused) }
                let s = MatrixKernel.sum(d) * scale
                scores[j] = s
                maximum = max(maximum, s)
            }
            var total: Float = 0
            var j = 0
            while j + 16 <= length {
                let e = VectorMath.exp(MatrixKernel.load(scores + j) - maximum, fused: fused)
                MatrixKernel.store(e, scores + j)
                total += MatrixKernel.sum(e)
                j += 16
            }
            if j < length {
                var tail = SIMD16<Float>(repeating: -Float.infinity)
                for t in 0..<(length - j) { tail[t] = scores[j + t] }
                let e = VectorMath.exp(tail - maximum, fused: fused)
                for t in 0..<(length - j) {
                    scores[j + t] = e[t]
                    total += e[t]
                }
            }
            let inverse = 1 / total
            var o0 = zero, o1 = zero, o2 = zero, o3 = zero
            for j in 0..<length {
                let v = qkv + j * qkvStride + 2 * hidden + headOffset
                let p = SIMD16<Float>(repeating: scores[j])
                o0 = MatrixKernel.madd(o0, p, MatrixKernel.load(v), fused: fused)
                if chunks > 1 { o1 = MatrixKernel.madd(o1, p, MatrixKernel.load(v + 16), fused: fused) }
                if chunks > 2 { o2 = MatrixKernel.madd(o2, p, MatrixKernel.load(v + 32), fused: fused) }
                if chunks > 3 { o3 = MatrixKernel.madd(o3, p, MatrixKernel.load(v + 48), fused: fused) }
            }
            let o = out + i * outStride + headOffset
            MatrixKernel.store(o0 * inverse, o)
            if chunks > 1 { MatrixKernel.store(o1 * inverse, o + 16) }
            if chunks > 2 { MatrixKernel.store(o2 * inverse, o + 32) }
            if chunks > 3 { MatrixKernel.store(o3 * inverse, o + 48) }
        }
    }
}
