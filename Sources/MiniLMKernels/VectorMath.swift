/// Element-wise functions on 16 lanes, without libm calls: exact-erf GELU and exp.
public enum VectorMath {
    /// erf(x) as x·P(x²)/Q(x²) on [-4, 4] (Eigen's single-precision rational approximation,
    /// absolute error under 5e-7); erf(±4) already rounds to ±1 in single precision.
    @inlinable @inline(__always)
    public static func erf(_ x: SIMD16<Float>, fused: Bool) -> SIMD16<Float> {
        let x = x.clamped(lowerBound: SIMD16(repeating: -4), upperBound: SIMD16(repeating: 4))
        let x2 = x * x
        var p = SIMD16<Float>(repeating: -2.72614225801306e-10)
        p = MatrixKernel.madd(SIMD16(repeating: 2.77068142495902e-08), p, x2, fused: fused)
        p = MatrixKernel.madd(SIMD16(repeating: -2.10102402082508e-06), p, x2, fused: fused)
        p = MatrixKernel.madd(SIMD16(repeating: -5.69250639462346e-05), p, x2, fused: fused)
        p = MatrixKernel.madd(SIMD16(repeating: -7.34990630326855e-04), p, x2, fused: fused)
        p = MatrixKernel.madd(SIMD16(repeating: -2.95459980854025e-03), p, x2, fused: fused)
        p = MatrixKernel.madd(SIMD16(repeating: -1.60960333262415e-02), p, x2, fused: fused)
        var q = SIMD16<Float>(repeating: -1.45660718464996e-05)
        q = MatrixKernel.madd(SIMD16(repeating: -2.13374055278905e-04), q, x2, fused: fused)
        q = MatrixKernel.madd(SIMD16(repeating: -1.68282697438203e-03), q, x2, fused: fused)
        q = MatrixKernel.madd(SIMD16(repeating: -7.37332916720468e-03), q, x2, fused: fused)
        q = MatrixKernel.madd(SIMD16(repeating: -1.42647390514189e-02), q, x2, fused: fused)
        return x * p / q
    }

    /// BERT's GELU, the exact one: x · ½(1 + erf(x/√2)) (Hugging Face `hidden_act: "gelu"`).
    @inlinable @inline(__always)
    public static func gelu(_ x: SIMD16<Float>, fused: Bool) -> SIMD16<Float> {
        let half = x * 0.5
        return MatrixKernel.madd(half, half, erf(x * 0.70710678118654752, fused: fused), fused: fused)
    }

    /// e^x, Cephes-style: 2^n · e^r with |r| ≤ ln2/2 and a degree-5 polynomial (about 1 ulp).
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD16<Float>, fused: Bool) -> SIMD16<Float> {
        let x = x.clamped(lowerBound: SIMD16(repeating: -87.3), upperBound: SIMD16(repeating: 88.3))
        // Round to nearest by adding 1.5·2²³ (the sum's low mantissa bits then hold n as an integer),
        // which also yields 2ⁿ's exponent bits without a float-to-int conversion: the generic SIMD
        // `rounded` and `init(_:rounding:)` compile to per-lane calls, not vector instructions.
        let shifted = MatrixKernel.madd(SIMD16(repeating: 12_582_912), x, SIMD16(repeating: 1.44269504088896341), fused: fused)
        let n = shifted - 12_582_912
        var r = MatrixKernel.madd(x, n, SIMD16(repeating: -0.693359375), fused: fused)
        r = MatrixKernel.madd(r, n, SIMD16(repeating: 2.12194440e-4), fused: fused)
        var p = SIMD16<Float>(repeating: 1.9875691500e-4)
        p = MatrixKernel.madd(SIMD16(repeating: 1.3981999507e-3), p, r, fused: fused)
        p = MatrixKernel.madd(SIMD16(repeating: 8.3334519073e-3), p, r, fused: fused)
        p = MatrixKernel.madd(SIMD16(repeating: 4.1665795894e-2), p, r, fused: fused)
        p = MatrixKernel.madd(SIMD16(repeating: 1.6666665459e-1), p, r, fused: fused)
        p = MatrixKernel.madd(SIMD16(repeating: 5.0000001201e-1), p, r, fused: fused)
        let y = MatrixKernel.madd(r + 1, p, r * r, fused: fused)
        let exponent = (unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return y * unsafeBitCast(exponent, to: SIMD16<Float>.self)
    }
}
