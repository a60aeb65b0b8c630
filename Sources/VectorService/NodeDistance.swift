/// How a graph walk measures a node: from the query to the bytes at `p`, which are either the
/// node's full-precision vector or (`readsCodes`) its record in an int8 index. Search code is
/// generic over it, so each kind gets its own specialised loop.
protocol NodeDistance {
    static var readsCodes: Bool { get }
    /// The leading bytes of a node `distance` reads that a graph walk prefetches for every
    /// neighbour before computing any distance, so their cache misses overlap.
    var prefetchBytes: Int { get }
    /// The bytes after those that a walk prefetches for the unvisited neighbour `lookahead`
    /// places ahead while measuring this one: asked for all at once up front, a neighbour list's
    /// lines would fill every miss buffer and stall the prefetches themselves.
    var tailPrefetchBytes: Int { get }
    var lookahead: Int { get }
    func distance(_ p: UnsafeRawPointer) -> Float
}

/// Full precision: the metric's kernel on the stored floats.
struct ExactDistance<K: DistanceKernel>: NodeDistance {
    static var readsCodes: Bool { false }
    let q: UnsafePointer<Float>
    let dims: Int
    /// The kernel, read once per search (not through the dispatcher's global on every node).
    let kernel: KernelTable.FloatKernel

    init(q: UnsafePointer<Float>, dims: Int) {
        self.q = q
        self.dims = dims
        kernel = K.raw(in: KernelDispatch.active)
    }
    /// The first line only: a float vector spans many lines (24 at 384 dims), too many to ask for
    /// per neighbour up front. Then the next 8 lines two neighbours ahead (chosen from 0, 4, 8,
    /// 12, 23 lines, 1 or 2 ahead, at 384 dims: ~6% less CPU per query on a loaded box, no
    /// measurable change on a quiet one); the hardware's streamer follows the kernel's sequential
    /// reads for the rest.
    var prefetchBytes: Int { 64 }
    var tailPrefetchBytes: Int { min(512, max(0, dims * 4 - 64)) }
    var lookahead: Int { 2 }

    @inline(__always)
    func distance(_ p: UnsafeRawPointer) -> Float { K.finish(kernel(q, p.assumingMemoryBound(to: Float.self), dims)) }
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
    let kernel: KernelTable.CodeKernel = KernelDispatch.active.dotU8I8
    /// The first line up front, then the rest of the codes (5 more lines at 384 dims, and ‖x̂‖²
    /// after them for euclidean) one neighbour ahead: the integer kernel is so short that without
    /// them it waits on each line in turn (against all codes up front: ~7% less CPU per query on
    /// a quiet box, ~15% on a loaded one).
    var prefetchBytes: Int { 64 }
    var tailPrefetchBytes: Int { max(0, (metric == .euclidean ? normOffset + 4 : dims) - 64) }
    var lookahead: Int { 1 }

    @inline(__always)
    func distance(_ p: UnsafeRawPointer) -> Float {
        let dot = bias + step * Float(kernel(p.assumingMemoryBound(to: UInt8.self), query, dims))
        switch metric {
        case .cosine: return 1 - dot
        case .dot: return -dot
        case .euclidean: return queryNorm - 2 * dot + p.load(fromByteOffset: normOffset, as: Float.self)
        }
    }
}
