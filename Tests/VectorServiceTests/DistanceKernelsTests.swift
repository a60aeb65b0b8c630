import Testing
@testable import VectorService

@Suite struct DistanceKernelsTests {
    func scalarDot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    func scalarL2(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }

    @Test(arguments: [1, 3, 7, 8, 15, 16, 31, 32, 33, 100, 128, 384, 385, 1536])
    func simdKernelsMatchScalarForEveryLength(dims: Int) {
        var rng = SplitMix64(seed: UInt64(dims))
        let a = (0..<dims).map { _ in rng.nextGaussian() }
        let b = (0..<dims).map { _ in rng.nextGaussian() }
        let dot = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { DistanceKernels.dot(pa.baseAddress!, $0.baseAddress!, dims) } }
        let l2 = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { DistanceKernels.squaredL2(pa.baseAddress!, $0.baseAddress!, dims) } }
        #expect(abs(dot - scalarDot(a, b)) <= 1e-3 * max(1, abs(scalarDot(a, b))))
        #expect(abs(l2 - scalarL2(a, b)) <= 1e-3 * max(1, scalarL2(a, b)))
    }

    @Test func cosineDistanceOfNormalisedVectors() {
        var a: [Float] = [3, 4], b: [Float] = [4, 3]
        #expect(DistanceKernels.normalize(&a) && DistanceKernels.normalize(&b))
        #expect(abs(BruteForceSearch.distance(a, b, metric: .cosine) - (1 - 24.0 / 25.0)) < 1e-6)
        #expect(BruteForceSearch.distance([1, 2], [3, 4], metric: .dot) == -11)
        #expect(BruteForceSearch.distance([1, 2], [4, 6], metric: .euclidean) == 25)
    }

    @Test func zeroVectorCannotBeNormalised() {
        var z: [Float] = [0, 0, 0]
        #expect(!DistanceKernels.normalize(&z))
    }
}
