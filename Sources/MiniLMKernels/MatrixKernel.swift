/// The matrix product at the heart of the MiniLM encoder: `C = A · Wᵀ + bias` (optionally GELU'd),
/// where `W` is a PyTorch `Linear` weight (`out × in`) repacked once at load into column panels.
///
/// The bodies are `@inlinable` and `@inline(__always)` so that each entry point (`PortableKernels`
/// here, `HaswellKernels` in its own module compiled for AVX2 + FMA) gets its own complete copy,
/// compiled for its own instruction set; nothing else is shared between them at run time.
public enum MatrixKernel {
    /// Columns per packed panel: one `SIMD16<Float>` (two AVX2 registers).
    public static let panelWidth = 16
    /// Rows per micro-kernel call: 6 rows × 16 columns = 12 AVX2 accumulators, 3 registers left
    /// for the weight row and the broadcast (the classic 6×16 shape for 16 ymm registers).
    public static let rowsPerTile = 6
    /// K is processed in blocks this long, so one panel's block (256 × 16 floats = 16 KiB) stays in
    /// L1 while every row tile of the M block streams past it.
    public static let kBlock = 256
    /// Rows per M block: the A block (128 × 256 floats = 128 KiB) stays in L2 across all panels.
    public static let mBlock = 126

    /// Repacks `weight` (`n × k`, row-major, `n` a multiple of 16) into `n / 16` panels of `k × 16`.
    @inlinable @inline(__always)
    public static func pack(weight: UnsafePointer<Float>, n: Int, k: Int, into packed: UnsafeMutablePointer<Float>) {
        for panel in 0..<(n / panelWidth) {
            let base = packed + panel * k * panelWidth
            for column in 0..<panelWidth {
                let row = weight + (panel * panelWidth + column) * k
                for kk in 0..<k { base[kk * panelWidth + column] = row[kk] }
            }
        }
    }

    @inlinable @inline(__always)
    static func madd(_ c: SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>, fused: Bool) -> SIMD16<Float> {
        fused ? c.addingProduct(a, b) : c + a * b
    }

    /// The lanes' sum, by halves (the generic `SIMD.sum()` is a separately emitted specialization
    /// that each kernel module would otherwise share at link time).
    @inlinable @inline(__always)
    static func sum(_ v: SIMD16<Float>) -> Float {
        let eight = v.lowHalf + v.highHalf
        let four = eight.lowHalf + eight.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inlinable @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// `C[m, panel columns] (+)= A[m, k0..<k1] · panel` for `rows` (1…6) rows starting at `a`/`c`.
    /// Short tiles repeat their last row in the arithmetic and store only the real ones.
    @inlinable @inline(__always)
    static func tile(
        a: UnsafePointer<Float>, lda: Int, panel: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Int, k0: Int, k1: Int, initial: UnsafePointer<Float>?, fused: Bool
    ) {
        let a0 = a
        let a1 = a + lda * min(1, rows - 1)
        let a2 = a + lda * min(2, rows - 1)
        let a3 = a + lda * min(3, rows - 1)
        let a4 = a + lda * min(4, rows - 1)
        let a5 = a + lda * min(5, rows - 1)
        var c0: SIMD16<Float>, c1: SIMD16<Float>, c2: SIMD16<Float>, c3: SIMD16<Float>, c4: SIMD16<Float>, c5: SIMD16<Float>
        if let initial {
            c0 = load(initial); c1 = c0; c2 = c0; c3 = c0; c4 = c0; c5 = c0
        } else {
            c0 = load(c)
            c1 = load(c + ldc * min(1, rows - 1))
            c2 = load(c + ldc * min(2, rows - 1))
            c3 = load(c + ldc * min(3, rows - 1))
            c4 = load(c + ldc * min(4, rows - 1))
            c5 = load(c + ldc * min(5, rows - 1))
        }
        var b = panel + k0 * panelWidth
        for kk in k0..<k1 {
            let w = load(b)
            c0 = madd(c0, w, SIMD16(repeating: a0[kk]), fused: fused)
            c1 = madd(c1, w, SIMD16(repeating: a1[kk]), fused: fused)
            c2 = madd(c2, w, SIMD16(repeating: a2[kk]), fused: fused)
            c3 = madd(c3, w, SIMD16(repeating: a3[kk]), fused: fused)
            c4 = madd(c4, w, SIMD16(repeating: a4[kk]), fused: fused)
            c5 = madd(c5, w, SIMD16(repeating: a5[kk]), fused: fused)
            b += panelWidth
        }
        store(c0, c)
        if rows > 1 { store(c1, c + ldc) }
        if rows > 2 { store(c2, c + 2 * ldc) }
        if rows > 3 { store(c3, c + 3 * ldc) }
        if rows > 4 { store(c4, c + 4 * ldc) }
        if rows > 5 { store(c5, c + 5 * ldc) }
    }

    /// `C[0..<m, panels] = A[0..<m, 0..<k] · Wᵀ + bias`, then GELU when `gelu`. Each call writes
    /// only the columns of `panels`, so threads given disjoint panel ranges never share a line of C
    /// (panels are 64 bytes wide and C rows are multiples of 64 bytes).
    @inlinable @inline(__always)
    public static func multiply(
        a: UnsafePointer<Float>, lda: Int, packed: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, k: Int, panels: Range<Int>, gelu: Bool, fused: Bool
    ) {
        var k0 = 0
        while k0 < k {
            let k1 = min(k0 + kBlock, k)
            var m0 = 0
            while m0 < m {
                let m1 = min(m0 + mBlock, m)
                for panel in panels {
                    let column = panel * panelWidth
                    let panelBase = packed + panel * k * panelWidth
                    var row = m0
                    while row < m1 {
                        let rows = min(rowsPerTile, m1 - row)
                        tile(
                            a: a + row * lda, lda: lda, panel: panelBase, c: c + row * ldc + column, ldc: ldc, rows: rows,
                            k0: k0, k1: k1, initial: k0 == 0 ? bias + column : nil, fused: fused)
                        row += rows
                    }
                }
                m0 = m1
            }
            k0 = k1
        }
        if gelu {
            for row in 0..<m {
                for panel in panels {
                    let p = c + row * ldc + panel * panelWidth
                    store(VectorMath.gelu(load(p), fused: fused), p)
                }
            }
        }
    }
}
