/// Exact k-nearest-neighbour search: used for small indexes, for selective filters, as the fallback
/// when a graph search comes back short, and as the oracle the tests and benchmark measure recall
/// against.
public enum BruteForceSearch {
    /// Exact top-k of `nodes` of `index` (caller holds the index's read lock), nearest first.
    static func topK<K: DistanceKernel, S: Sequence<UInt32>>(
        _: K.Type, index: HNSWIndex, _ q: UnsafePointer<Float>, k: Int, nodes: S, skipDeleted: Bool
    ) -> [NodeHit] {
        var heap = NeighborHeap()
        defer { heap.deallocate() }
        let dims = index.dims
        index.deleted.withUnsafeBufferPointer { tomb in
            for n in nodes {
                if skipDeleted && tomb[Int(n)] { continue }
                let d = K.distance(q, index.vector(n), dims)
                if heap.count < k {
                    heap.push(Neighbor(distance: d, node: n))
                } else if d < heap.top.distance {
                    heap.pop()
                    heap.push(Neighbor(distance: d, node: n))
                }
            }
        }
        return heap.sortedAscending().map { NodeHit(node: $0.node, distance: $0.distance) }
    }

    /// Exact top-k over a flat row-major matrix of `count` vectors of `dims` floats: the positions
    /// of the nearest rows, nearest first. Cosine rows and query must already be unit length.
    public static func topK(query: [Float], vectors: UnsafeBufferPointer<Float>, dims: Int, metric: Metric, k: Int,
                            where include: ((Int) -> Bool)? = nil) -> [(position: Int, distance: Float)] {
        precondition(query.count == dims && vectors.count % dims == 0)
        switch metric {
        case .cosine: return topK(CosineKernel.self, query, vectors, dims, k, include)
        case .dot: return topK(DotKernel.self, query, vectors, dims, k, include)
        case .euclidean: return topK(EuclideanKernel.self, query, vectors, dims, k, include)
        }
    }

    private static func topK<K: DistanceKernel>(_: K.Type, _ query: [Float], _ vectors: UnsafeBufferPointer<Float>,
                                                _ dims: Int, _ k: Int, _ include: ((Int) -> Bool)?)
        -> [(position: Int, distance: Float)]
    {
        var heap = NeighborHeap()
        defer { heap.deallocate() }
        let rows = vectors.count / dims
        query.withUnsafeBufferPointer { qb in
            let q = qb.baseAddress!
            let base = vectors.baseAddress!
            for row in 0..<rows {
                if let include, !include(row) { continue }
                let d = K.distance(q, base + row * dims, dims)
                if heap.count < k {
                    heap.push(Neighbor(distance: d, node: UInt32(row)))
                } else if d < heap.top.distance {
                    heap.pop()
                    heap.push(Neighbor(distance: d, node: UInt32(row)))
                }
            }
        }
        return heap.sortedAscending().map { (Int($0.node), $0.distance) }
    }

    /// The distance between two vectors under `metric` (lower is closer), as the index computes it.
    public static func distance(_ a: [Float], _ b: [Float], metric: Metric) -> Float {
        precondition(a.count == b.count)
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                switch metric {
                case .cosine: CosineKernel.distance(pa.baseAddress!, pb.baseAddress!, a.count)
                case .dot: DotKernel.distance(pa.baseAddress!, pb.baseAddress!, a.count)
                case .euclidean: EuclideanKernel.distance(pa.baseAddress!, pb.baseAddress!, a.count)
                }
            }
        }
    }
}
