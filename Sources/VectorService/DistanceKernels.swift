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
}

/// `1 - a·b`: cosine distance for unit vectors.
enum CosineKernel: DistanceKernel {
    @inline(__always)
    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        1 - DistanceKernels.dot(a, b, n)
    }
}

/// `-a·b`: maximum inner product as a distance.
enum DotKernel: DistanceKernel {
    @inline(__always)
    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        -DistanceKernels.dot(a, b, n)
    }
}

/// Squared euclidean distance (the square root is monotone, so ranking needs none).
enum EuclideanKernel: DistanceKernel {
    @inline(__always)
    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        DistanceKernels.squaredL2(a, b, n)
    }
}

/// SIMD kernels: 32 floats per step in two independent SIMD16 accumulators (unaligned loads), then
/// 8-wide and scalar tails for dims that are not multiples of 32.
enum DistanceKernels {
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let pa = UnsafeRawPointer(a), pb = UnsafeRawPointer(b)
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= n {
            let o = i &* 4
            acc0 += pa.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                * pb.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
            acc1 += pa.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD16<Float>.self)
                * pb.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD16<Float>.self)
            i &+= 32
        }
        var acc8 = SIMD8<Float>()
        while i + 8 <= n {
            let o = i &* 4
            acc8 += pa.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                * pb.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            i &+= 8
        }
        acc0 += acc1
        var sum = (acc0.lowHalf + acc0.highHalf + acc8).sum()
        while i < n {
            sum += a[i] * b[i]
            i &+= 1
        }
        return sum
    }

    @inline(__always)
    static func squaredL2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let pa = UnsafeRawPointer(a), pb = UnsafeRawPointer(b)
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= n {
            let o = i &* 4
            let d0 = pa.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                - pb.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
            let d1 = pa.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD16<Float>.self)
                - pb.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD16<Float>.self)
            acc0 += d0 * d0
            acc1 += d1 * d1
            i &+= 32
        }
        var acc8 = SIMD8<Float>()
        while i + 8 <= n {
            let o = i &* 4
            let d = pa.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                - pb.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            acc8 += d * d
            i &+= 8
        }
        acc0 += acc1
        var sum = (acc0.lowHalf + acc0.highHalf + acc8).sum()
        while i < n {
            let d = a[i] - b[i]
            sum += d * d
            i &+= 1
        }
        return sum
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
