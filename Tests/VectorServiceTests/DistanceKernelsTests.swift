import Foundation
import Testing
@testable import VectorService

@Suite struct DistanceKernelsTests {
    /// Double-precision references.
    func referenceDot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
    func referenceL2(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
    }

    /// Every compiled kernel set this CPU can run gives the reference's distance within 1e-5
    /// relative, for every metric and for lengths that are not multiples of any vector width.
    /// Data are positive, so no cancellation makes "relative" meaningless.
    @Test(arguments: [1, 7, 383, 384, 1536])
    func everyKernelVariantMatchesTheScalarReference(dims: Int) {
        var rng = SplitMix64(seed: UInt64(dims))
        let a = (0..<dims).map { _ in Float(rng.nextUnit()) }
        let b = (0..<dims).map { _ in Float(rng.nextUnit()) }
        let codes = (0..<dims).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let refDot = referenceDot(a, b), refL2 = referenceL2(a, b)
        let refCodes = zip(a, codes).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let sets = KernelDispatch.supported(cpuFlags: KernelDispatch.cpuFlags())
        #expect(sets.first == .baseline)
        for set in sets {
            let table = KernelTable.compiled(for: set)
            #expect(table.instructionSet == set)
            let (dot, l2, u8) = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    codes.withUnsafeBufferPointer { pc in
                        (table.dot(pa.baseAddress!, pb.baseAddress!, dims), table.squaredL2(pa.baseAddress!, pb.baseAddress!, dims),
                         table.dotU8(pa.baseAddress!, pc.baseAddress!, dims))
                    }
                }
            }
            for metric in Metric.allCases {
                // The index's distance per metric, from this set's kernels, against the reference.
                let (got, want): (Double, Double) = switch metric {
                case .cosine: (1 - Double(dot), 1 - refDot)
                case .dot: (-Double(dot), -refDot)
                case .euclidean: (Double(l2), refL2)
                }
                let scale = metric == .cosine ? max(abs(refDot), 1) : max(abs(want), 1e-30)
                #expect(abs(got - want) <= 1e-5 * scale, "\(set) \(metric) dims \(dims): \(got) vs \(want)")
            }
            #expect(abs(Double(u8) - refCodes) <= 1e-5 * refCodes, "\(set) int8 codes dims \(dims)")
        }
    }

    /// Lengths around every vector width, with signed data, against the double reference (the
    /// bound scales with Σ|aᵢbᵢ|, the sum's own rounding error scale).
    @Test(arguments: [1, 3, 8, 15, 16, 31, 32, 33, 63, 64, 65, 100, 128, 385])
    func activeKernelsMatchForEveryLength(dims: Int) {
        var rng = SplitMix64(seed: UInt64(dims) &+ 99)
        let a = (0..<dims).map { _ in rng.nextGaussian() }
        let b = (0..<dims).map { _ in rng.nextGaussian() }
        let magnitude = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
        let dot = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { DistanceKernels.dot(pa.baseAddress!, $0.baseAddress!, dims) } }
        let l2 = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { DistanceKernels.squaredL2(pa.baseAddress!, $0.baseAddress!, dims) } }
        #expect(abs(Double(dot) - referenceDot(a, b)) <= 1e-5 * max(magnitude, 1))
        #expect(abs(Double(l2) - referenceL2(a, b)) <= 1e-5 * max(referenceL2(a, b), 1))
    }

    /// The dispatcher takes the widest set whose every feature the CPU reports, and falls back to
    /// baseline when one is missing or when VECTORD_KERNELS forces it.
    @Test func dispatcherFallsBackWhenAFeatureIsMissing() throws {
        let full = InstructionSet.avx512.requiredFlags
        #if arch(x86_64)
        #expect(KernelDispatch.choose(.auto, cpuFlags: full) == .avx512)
        #expect(KernelDispatch.choose(.auto, cpuFlags: full.subtracting(["avx512bw"])) == .avx2)
        #expect(KernelDispatch.choose(.auto, cpuFlags: full.subtracting(["fma"])) == .baseline)
        #expect(KernelDispatch.choose(.forced(.avx2), cpuFlags: full) == .avx2)
        // Forcing a set the CPU lacks never selects code that would fault.
        #expect(KernelDispatch.choose(.forced(.avx512), cpuFlags: InstructionSet.avx2.requiredFlags) == .avx2)
        #endif
        #expect(KernelDispatch.choose(.auto, cpuFlags: []) == .baseline)
        #expect(KernelDispatch.choose(.forced(.baseline), cpuFlags: full) == .baseline)
        #expect(try VectorConfig.kernelChoice(["VECTORD_KERNELS": "baseline"]) == .forced(.baseline))
        #expect(try VectorConfig.kernelChoice([:]) == .auto)
        #expect(throws: VectorConfig.Invalid.self) { try VectorConfig.kernelChoice(["VECTORD_KERNELS": "sse9"]) }
    }

    /// cpuinfo parsing: the flags of the first processor.
    @Test func cpuFlagsAreReadFromCpuinfo() throws {
        let path = NSTemporaryDirectory() + "cpuinfo-\(getpid())"
        try "processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(KernelDispatch.cpuFlags(cpuinfo: path) == ["fpu", "sse2", "avx2", "fma"])
        #expect(KernelDispatch.cpuFlags(cpuinfo: path + "-missing").isEmpty)
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
