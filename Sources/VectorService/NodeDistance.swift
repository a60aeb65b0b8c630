/// How a graph walk measures a node: from the query to the bytes at `p`, which are either the
/// node's full-precision vector or (`readsCodes`) its record in an int8 index. Search code is
/// generic over it, so each kind gets its own specialised loop.
protocol NodeDistance {
    static var readsCodes: Bool { get }
    /// The leading bytes of a node `distance` reads that a graph walk prefetches for every
    /// neighbour before computing any distance, so their cache misses overlap.
    var prefetchBytes: Int { get }
    func distance(_ p: UnsafeRawPointer) -> Float
}

/// Full precision: the metric's kernel on the stored floats.
struct ExactDistance<K: DistanceKernel>: NodeDistance {
    static var readsCodes: Bool { false }
    let q: UnsafePointer<Float>
    let dims: Int
    /// The first line only: a float vector spans many lines (24 at 384 dims), too many to ask for
    /// per neighbour up front; the hardware's streamer follows the kernel's sequential reads.
    var prefetchBytes: Int { 64 }

    @inline(__always)
    func distance(_ p: UnsafeRawPointer) -> Float { K.distance(q, p.assumingMemoryBound(to: Float.self), dims) }
}

/// int8: the distance from the quantised query to a node's codes, in integers. For cosine and dot,
/// q·x̂ ≈ bias + step·Σ qcodeᵢ·codeᵢ (`ScalarQuantizer.prepare`); euclidean uses
/// ‖q − x̂‖² = ‖q‖² − 2 q·x̂ + ‖x̂‖², with ‖x̂‖² stored in the record after the codes.
struct CodeDistance: NodeDistance {
    static var readsCodes: Bool { true }
    let query: UnsafePointer<Int8>
    let bias: Float
    let step: Float
    let dims: Int
    let metric: Metric
    let queryNorm: Float
    let normOffset: Int
    /// All the codes (6 lines at 384 dims), and ‖x̂‖² after them for euclidean: the integer kernel
    /// is so short that otherwise it waits on each line in turn.
    var prefetchBytes: Int { metric == .euclidean ? normOffset + 4 : dims }

    @inline(__always)
    func distance(_ p: UnsafeRawPointer) -> Float {
        let dot = bias + step * Float(DistanceKernels.dotU8I8(p.assumingMemoryBound(to: UInt8.self), query, dims))
        switch metric {
        case .cosine: return 1 - dot
        case .dot: return -dot
        case .euclidean: return queryNorm - 2 * dot + p.load(fromByteOffset: normOffset, as: Float.self)
        }
    }
}
