/// How an index stores its vectors for the graph walk. `float` (the default) keeps 32-bit floats;
/// `int8` keeps one byte per dimension in the graph and the full-precision vectors in a file-backed
/// map, used only to build the graph and to re-rank a search's best candidates.
public enum Quantization: String, Sendable, Codable, CaseIterable {
    case float, int8
}

/// 8-bit scalar quantisation with a per-dimension affine map: x ≈ offset + scale · code, code in
/// 0...255, trained from the minimum and maximum of each dimension over a sample. A search quantises
/// its query once (`prepare`) and compares it with each node in integers, one kernel call.
/// Fixed once trained: recovery and compaction reuse the persisted parameters.
struct ScalarQuantizer: Sendable, Equatable {
    let offsets: [Float]
    let scales: [Float]
    var dims: Int { offsets.count }

    /// Parameters from `count` row-major vectors of `dims` floats.
    init(training rows: UnsafePointer<Float>, count: Int, dims: Int) {
        var lo = [Float](repeating: .greatestFiniteMagnitude, count: dims)
        var hi = [Float](repeating: -.greatestFiniteMagnitude, count: dims)
        for r in 0..<count {
            let row = rows + r * dims
            for d in 0..<dims {
                lo[d] = min(lo[d], row[d])
                hi[d] = max(hi[d], row[d])
            }
        }
        if count == 0 { lo = .init(repeating: -1, count: dims); hi = .init(repeating: 1, count: dims) }
        offsets = lo
        scales = zip(lo, hi).map { $1 > $0 ? ($1 - $0) / 255 : 1 }
    }

    init(offsets: [Float], scales: [Float]) {
        self.offsets = offsets
        self.scales = scales
    }

    /// Writes the codes of `v` to `codes` and returns ‖x̂‖², the squared norm of the decoded
    /// vector (the euclidean distance needs it). Values outside the trained range clamp.
    func encode(_ v: UnsafePointer<Float>, into codes: UnsafeMutablePointer<UInt8>) -> Float {
        var norm: Float = 0
        for d in 0..<dims {
            let c = ((v[d] - offsets[d]) / scales[d]).rounded()
            let code = UInt8(min(max(c, 0), 255))
            codes[d] = code
            let decoded = offsets[d] + scales[d] * Float(code)
            norm += decoded * decoded
        }
        return norm
    }

    /// Query-side terms of the integer distance. The query's weights wᵢ = qᵢ·scaleᵢ are quantised
    /// to signed bytes, wᵢ ≈ step·qcodeᵢ with step = max|wᵢ| / 127, so that
    /// q·x̂ = Σ q·offset + Σ wᵢ·codeᵢ ≈ bias + step·Σ qcodeᵢ·codeᵢ: one integer dot product per node.
    /// Writes the query codes to `codes`; returns bias = Σ q·offset and step.
    func prepare(_ q: UnsafePointer<Float>, codes: UnsafeMutablePointer<Int8>) -> (bias: Float, step: Float) {
        offsets.withUnsafeBufferPointer { offsets in
            scales.withUnsafeBufferPointer { scales in
                // Four partial sums and maxima: no loop-carried chain through one register.
                var b0: Float = 0, b1: Float = 0, b2: Float = 0, b3: Float = 0
                var m0: Float = 0, m1: Float = 0, m2: Float = 0, m3: Float = 0
                var d = 0
                while d &+ 4 <= dims {
                    b0 += q[d] * offsets[d]
                    b1 += q[d &+ 1] * offsets[d &+ 1]
                    b2 += q[d &+ 2] * offsets[d &+ 2]
                    b3 += q[d &+ 3] * offsets[d &+ 3]
                    m0 = max(m0, abs(q[d] * scales[d]))
                    m1 = max(m1, abs(q[d &+ 1] * scales[d &+ 1]))
                    m2 = max(m2, abs(q[d &+ 2] * scales[d &+ 2]))
                    m3 = max(m3, abs(q[d &+ 3] * scales[d &+ 3]))
                    d &+= 4
                }
                var biasSum = (b0 + b1) + (b2 + b3), largestMax = max(max(m0, m1), max(m2, m3))
                while d < dims {
                    biasSum += q[d] * offsets[d]
                    largestMax = max(largestMax, abs(q[d] * scales[d]))
                    d &+= 1
                }
                let step = largestMax > 0 && largestMax.isFinite ? largestMax / 127 : 1
                let inverse = 1 / step
                for d in 0..<dims {
                    // Clamped (also against a product that overflowed), then rounded half away
                    // from zero by truncation: no libm call.
                    var w = q[d] * scales[d] * inverse
                    if !(w.magnitude <= 127) { w = w < 0 ? -127 : 127 }
                    codes[d] = Int8(w + (w < 0 ? -0.5 : 0.5))
                }
                return (biasSum, step)
            }
        }
    }

    func write(to w: inout ByteWriter) {
        w.u32(UInt32(dims))
        offsets.withUnsafeBufferPointer { w.floats($0) }
        scales.withUnsafeBufferPointer { w.floats($0) }
    }

    static func read(from r: inout ByteReader) throws -> ScalarQuantizer {
        let dims = Int(try r.u32())
        return ScalarQuantizer(offsets: try r.floats(dims), scales: try r.floats(dims))
    }
}
