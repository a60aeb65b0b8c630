import MiniLMKernels

/// The encoder's kernels compiled for AVX2 + FMA (this module is built with `-target-cpu haswell`,
/// see Package.swift). Call only when the CPU reports `avx2` and `fma`: `EncoderKernelChoice` checks.
public enum HaswellKernels: EncoderKernelSet {
    public static var name: String { "avx2-fma" }

    public static func multiply(
        a: UnsafePointer<Float>, lda: Int, packed: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, panels: Range<Int>, gelu: Bool
    ) {
        MatrixKernel.multiply(
            a: a, lda: lda, packed: packed, bias: bias, c: c, ldc: ldc, m: m, k: k, panels: panels, gelu: gelu, fused: true)
    }

    public static func addLayerNorm(
        x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        rows: Range<Int>, dim: Int, epsilon: Float
    ) {
        EncoderKernels.addLayerNorm(
            x: x, residual: residual, gamma: gamma, beta: beta, rows: rows, dim: dim, epsilon: epsilon, fused: true)
    }

    public static func attention(
        qkv: UnsafePointer<Float>, qkvStride: Int, out: UnsafeMutablePointer<Float>, outStride: Int, length: Int,
        head: Int, headSize: Int, hidden: Int, scores: UnsafeMutablePointer<Float>
    ) {
        EncoderKernels.attention(
            qkv: qkv, qkvStride: qkvStride, out: out, outStride: outStride, length: length, head: head, headSize: headSize, hidden: hidden,
            scores: scores, fused: true)
    }
}
