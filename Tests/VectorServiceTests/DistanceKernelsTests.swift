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
        let refDot = referenceDot(a, b), refL2 = referenceL2(a, b)
        let sets = KernelDispatch.supported(cpuFlags: KernelDispatch.cpuFlags())
        #expect(sets.first == .baseline)
        for set in sets {
            let table = KernelTable.compiled(for: set)
            #expect(table.instructionSet == set)
            let (dot, l2) = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    (table.dot(pa.baseAddress!, pb.baseAddress!, dims), table.squaredL2(pa.baseAddress!, pb.baseAddress!, dims))
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
        }
    }

    /// Σ codeᵢ·queryᵢ in 64-bit integers: the reference every integer kernel must equal exactly.
    func referenceCodeDot(_ codes: [UInt8], _ query: [Int8]) -> Int64 {
        zip(codes, query).reduce(0) { $0 + Int64($1.0) * Int64($1.1) }
    }

    /// Every compiled integer kernel (int8 indexes) this CPU can run returns exactly the scalar
    /// reference, for random codes and for the extremes (255 × ±127 everywhere: no lane saturates),
    /// for lengths that are not multiples of any vector width, and at the largest dims an index takes.
    @Test(arguments: [1, 7, 63, 64, 65, 127, 129, 383, 384, 1536, IndexParams.dimsRange.upperBound])
    func everyIntegerKernelEqualsTheScalarReference(dims: Int) {
        var rng = SplitMix64(seed: UInt64(dims) &+ 7)
        let random = ((0..<dims).map { _ in UInt8(truncatingIfNeeded: rng.next()) },
                      (0..<dims).map { _ in Int8(Int(rng.next() % 255) - 127) })
        let cases: [(codes: [UInt8], query: [Int8])] = [
            random,
            ([UInt8](repeating: 255, count: dims), [Int8](repeating: 127, count: dims)),
            ([UInt8](repeating: 255, count: dims), [Int8](repeating: -127, count: dims)),
        ]
        let sets = KernelDispatch.supported(cpuFlags: KernelDispatch.cpuFlags())
        for set in sets {
            let table = KernelTable.compiled(for: set)
            for (n, c) in cases.enumerated() {
                let got = c.codes.withUnsafeBufferPointer { pc in c.query.withUnsafeBufferPointer { table.dotU8I8(pc.baseAddress!, $0.baseAddress!, dims) } }
                #expect(Int64(got) == referenceCodeDot(c.codes, c.query), "\(set) (\(set.int8Kernel)) case \(n) dims \(dims)")
            }
        }
    }

    /// The integer kernels read no byte past `n`: a vector ending at the last byte of a mapping
    /// followed by an unmapped page is read without a fault (the masked tail of the VNNI kernel).
    @Test func integerKernelsStopAtTheLastByte() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapped = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(mapped != MAP_FAILED)
        defer { munmap(mapped, 2 * page) }
        #expect(mprotect(mapped + page, page, PROT_NONE) == 0)
        for dims in [1, 7, 100, 383] {
            let codes = (mapped + page - dims).bindMemory(to: UInt8.self, capacity: dims)
            codes.update(repeating: 3, count: dims)
            let query = [Int8](repeating: -2, count: dims)
            for set in KernelDispatch.supported(cpuFlags: KernelDispatch.cpuFlags()) {
                let got = query.withUnsafeBufferPointer { KernelTable.compiled(for: set).dotU8I8(codes, $0.baseAddress!, dims) }
                #expect(got == Int32(-6 * dims), "\(set) dims \(dims)")
            }
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
        #expect(KernelDispatch.choose(.auto, cpuFlags: full.union(["avx512_vnni"])) == .avx512vnni)
        #expect(KernelDispatch.choose(.forced(.avx512), cpuFlags: full.union(["avx512_vnni"])) == .avx512)
        #expect(KernelDispatch.choose(.forced(.baseline), cpuFlags: full.union(["avx512_vnni"])).int8Kernel == "scalar")
        #expect(KernelDispatch.choose(.auto, cpuFlags: full.subtracting(["avx512bw"])) == .avx2)
        #expect(KernelDispatch.choose(.auto, cpuFlags: full.subtracting(["fma"])) == .baseline)
        #expect(KernelDispatch.choose(.forced(.avx2), cpuFlags: full) == .avx2)
        // Forcing a set the CPU lacks never selects code that would fault.
        #expect(KernelDispatch.choose(.forced(.avx512), cpuFlags: InstructionSet.avx2.requiredFlags) == .avx2)
        #endif
        #expect(KernelDispatch.choose(.auto, cpuFlags: []) == .baseline)
        #expect(KernelDispatch.choose(.forced(.baseline), cpuFlags: full) == .baseline)
        #expect(try VectorConfig.kernelChoice(["VECTORD_KERNELS": "baseline"]) == .forced(.baseline))
        #expect(try VectorConfig.kernelChoice(["VECTORD_KERNELS": "avx512vnni"]) == .forced(.avx512vnni))
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
