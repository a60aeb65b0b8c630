import Foundation

/// Deterministic clustered test and benchmark data: Gaussian blobs around random centres, from a
/// seeded SplitMix64 stream, so every run (tests, `lakehouse bench-vector`, the hnswlib side of
/// Scripts/bench/vector) sees the same vectors.
public struct SyntheticVectors: Sendable {
    public let dims: Int
    public let clusters: Int
    public let spread: Float
    /// Row-major cluster centres, `clusters × dims`.
    public let centres: [Float]
    private let seed: UInt64

    public init(dims: Int, clusters: Int, seed: UInt64, spread: Float = 0.35) {
        self.dims = dims
        self.clusters = clusters
        self.spread = spread
        self.seed = seed
        var rng = SplitMix64(seed: seed)
        centres = (0..<(clusters * dims)).map { _ in rng.nextGaussian() }
    }

    /// `count` vectors, row-major; `stream` selects an independent sequence (e.g. 0 for data,
    /// 1 for queries). Rows are spread over clusters round-robin-ish at random.
    public func vectors(count: Int, stream: UInt64) -> [Float] {
        var out = [Float](repeating: 0, count: count * dims)
        var rng = SplitMix64(seed: seed ^ (0xA5A5_0000_0000_0000 &+ stream &* 0x9E37_79B9))
        let d = dims
        for row in 0..<count {
            let c = Int(rng.next() % UInt64(clusters))
            for j in 0..<d { out[row * d + j] = centres[c * d + j] + spread * rng.nextGaussian() }
        }
        return out
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, seedable generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    public mutating func nextUnit() -> Double { (Double(next() >> 11) + 1) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    public mutating func nextGaussian() -> Float {
        let u1 = nextUnit(), u2 = nextUnit()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}
