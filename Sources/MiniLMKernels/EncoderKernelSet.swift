/// One compiled copy of the encoder's kernels. `PortableKernels` runs on any CPU the toolchain
/// targets; `HaswellKernels` (module MiniLMKernelsHaswell, x86-64 only) is the same code compiled
/// for AVX2 + FMA and is chosen at run time when the CPU has them.
public protocol EncoderKernelSet {
    /// Names the instruction set in logs and benchmarks.
    static var name: String { get }
    static func multiply(
        a: UnsafePointer<Float>, lda: Int, packed: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, panels: Range<Int>, gelu: Bool)
    static func addLayerNorm(
        x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        rows: Range<Int>, dim: Int, epsilon: Float)
    static func attention(
        qkv: UnsafePointer<Float>, qkvStride: Int, out: UnsafeMutablePointer<Float>, outStride: Int, length: Int,
        head: Int, headSize: Int, hidden: Int, scores: UnsafeMutablePointer<Float>)
}

/// The kernels for the baseline instruction set (SSE2 on x86-64, NEON on arm64): separate multiply
/// and add, since a fused multiply-add without hardware support would be a libm call per lane.
public enum PortableKernels: EncoderKernelSet {
    public static var name: String { "portable" }

    /// Repacks a `Linear` weight for `multiply` (done once, at load).
    public static func pack(weight: UnsafePointer<Float>, n: Int, k: Int, into packed: UnsafeMutablePointer<Float>) {
        MatrixKernel.pack(weight: weight, n: n, k: k, into: packed)
    }

    public static func multiply(
        a: UnsafePointer<Float>, lda: Int, packed: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, panels: Range<Int>, gelu: Bool
    ) {
        MatrixKernel.multiply(
            a: a, lda: lda, packed: packed, bias: bias, c: c, ldc: ldc, m: m, k: k, panels: panels, gelu: gelu, fused: false)
    }

    public static func addLayerNorm(
        x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        rows: Range<Int>, dim: Int, epsilon: Float
    ) {
        EncoderKernels.addLayerNorm(
            x: x, residual: residual, gamma: gamma, beta: beta, rows: rows, dim: dim, epsilon: epsilon, fused: false)
    }

    public static func attention(
        qkv: UnsafePointer<Float>, qkvStride: Int, out: UnsafeMutablePointer<Float>, outStride: Int, length: Int,
        head: Int, headSize: Int, hidden: Int, scores: UnsafeMutablePointer<Float>
    ) {
        EncoderKernels.attention(
            qkv: qkv, qkvStride: qkvStride, out: out, outStride: outStride, length: length, head: head, headSize: headSize, hidden: hidden,
            scores: scores, fused: false)
    }
}
