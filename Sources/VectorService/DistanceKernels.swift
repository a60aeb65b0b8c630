/// How two vectors compare. Cosine vectors are normalised at insert and query time, so cosine
/// search runs on the dot-product kernel.
public enum Metric: String, Sendable, Codable, CaseIterable {
    case cosine, euclidean, dot

    /// The score reported to clients, higher is better: cosine similarity, inner product, or
    /// 1 / (1 + euclidean distance).
    func score(fromDistance d: Float) -> Float {
        switch self {
        case .cosine: 1 - d
        case .dot: -d
        case .euclidean: 1 / (1 + d.squareRoot())
        }
    }
}

/// A distance kernel: lower is closer. Search code is generic over the kernel so each metric gets
/// its own specialised loop with no per-distance dispatch.
protocol DistanceKernel {
    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float
    /// The raw kernel of `table` this distance is made from (dot product or squared L2) ...
    static func raw(in table: KernelTable) -> KernelTable.FloatKernel
    /// ... and the distance made from its result: `distance(a, b, n) == finish(raw(a, b, n))`.
    static func finish(_ raw: Float) -> Float
}

/// `1 - a·b`: cosine distance for unit vectors.
enum CosineKernel: DistanceKernel {
    @inline(__always)
    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        1 - DistanceKernels.dot(a, b, n)
    }
    static func raw(in table: KernelTable) -> KernelTable.FloatKernel { table.dot }
    @inline(__always) static func finish(_ raw: Float) -> Float { 1 - raw }
}

/// `-a·b`: maximum inner product as a distance.
enum DotKernel: DistanceKernel {
    @inline(__always)
    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        -DistanceKernels.dot(a, b, n)
    }
    static func raw(in table: KernelTable) -> KernelTable.FloatKernel { table.dot }
    @inline(__always) static func finish(_ raw: Float) -> Float { -raw }
}

/// Squared euclidean distance (the square root is monotone, so ranking needs none).
enum EuclideanKernel: DistanceKernel {
    @inline(__always)
    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        DistanceKernels.squaredL2(a, b, n)
    }
    static func raw(in table: KernelTable) -> KernelTable.FloatKernel { table.squaredL2 }
    @inline(__always) static func finish(_ raw: Float) -> Float { raw }
}

/// The distance kernels of the instruction set `KernelDispatch` chose for this process.
enum DistanceKernels {
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        KernelDispatch.active.dot(a, b, n)
    }

    @inline(__always)
    static func squaredL2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        KernelDispatch.active.squaredL2(a, b, n)
    }

    /// Σ cᵢ·qᵢ over 8-bit codes and a quantised query (int8 indexes), exact.
    @inline(__always)
    static func dotU8I8(_ c: UnsafePointer<UInt8>, _ q: UnsafePointer<Int8>, _ n: Int) -> Int32 {
        KernelDispatch.active.dotU8I8(c, q, n)
    }

    /// Scales `v` to unit length in place; returns false for a zero (or non-finite) norm.
    static func normalize(_ v: inout [Float]) -> Bool {
        let norm = v.withUnsafeBufferPointer { dot($0.baseAddress!, $0.baseAddress!, $0.count) }.squareRoot()
        guard norm > 0, norm.isFinite else { return false }
        let inv = 1 / norm
        for i in v.indices { v[i] *= inv }
        return true
    }
}
