import Foundation
import MiniLMKernels
import Testing
@testable import EmbedService

/// Every compiled kernel set this CPU runs (AVX2 + FMA and portable on most x86-64) against plain
/// double-precision loops.
@Suite struct EncoderKernelsTests {
    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
    }

    @Test func bothKernelSetsAreCompiledOnX86AndTheBestComesFirst() {
        let names = EncoderKernelChoice.available.map { $0.name }
        #expect(names.last == "portable")
        #if arch(x86_64)
        if EncoderKernelChoice.cpuFlags.contains("avx2") && EncoderKernelChoice.cpuFlags.contains("fma") {
            #expect(names == ["avx2-fma", "portable"])
        }
        #endif
    }

    @Test(arguments: [1, 5, 6, 7, 13, 130])
    func multiplyMatchesTheNaiveProductForAnyRowCount(rows m: Int) {
        let n = 48, k = 300  // k crosses a K-block boundary; 130 rows cross an M block
        let a = Self.random(m * k, seed: 1), w = Self.random(n * k, seed: 2), bias = Self.random(n, seed: 3)
        var packed = [Float](repeating: 0, count: n * k)
        PortableKernels.pack(weight: w, n: n, k: k, into: &packed)
        for kernels in EncoderKernelChoice.available {
            for gelu in [false, true] {
                var c = [Float](repeating: .nan, count: m * n)
                // Two calls over disjoint panel ranges, as two threads would make.
                for panels in [0..<1, 1..<3] {
                    kernels.multiply(a: a, lda: k, packed: packed, bias: bias, c: &c, ldc: n, m: m, k: k, panels: panels, gelu: gelu)
                }
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = Double(bias[j])
                        for kk in 0..<k { sum += Double(a[i * k + kk]) * Double(w[j * k + kk]) }
                        if gelu { sum = 0.5 * sum * (1 + erf(sum / 2.0.squareRoot())) }
                        worst = max(worst, abs(sum - Double(c[i * n + j])))
                    }
                }
                #expect(worst < 1e-3, "\(kernels.name) gelu=\(gelu): max error \(worst)")
            }
        }
    }

    @Test(arguments: [1, 3, 17, 40])
    func attentionMatchesTheNaiveSoftmax(length: Int) {
        let hidden = 64, headSize = 32, heads = 2
        let qkv = Self.random(length * 3 * hidden, seed: 9)
        for kernels in EncoderKernelChoice.available {
            var out = [Float](repeating: .nan, count: length * hidden)
            var scores = [Float](repeating: 0, count: length)
            for head in 0..<heads {
                kernels.attention(
                    qkv: qkv, qkvStride: 3 * hidden, out: &out, outStride: hidden, length: length, head: head, headSize: headSize,
                    hidden: hidden, scores: &scores)
            }
            var worst = 0.0
            for head in 0..<heads {
                for i in 0..<length {
                    func value(_ token: Int, _ part: Int, _ d: Int) -> Double {
                        Double(qkv[token * 3 * hidden + part * hidden + head * headSize + d])
                    }
                    var logits: [Double] = []
                    for j in 0..<length {
                        var dot = 0.0
                        for d in 0..<headSize { dot += value(i, 0, d) * value(j, 1, d) }
                        logits.append(dot / Double(headSize).squareRoot())
                    }
                    let top = logits.max()!
                    let weights = logits.map { exp($0 - top) }
                    let total = weights.reduce(0, +)
                    for d in 0..<headSize {
                        var expected = 0.0
                        for j in 0..<length { expected += weights[j] / total * value(j, 2, d) }
                        worst = max(worst, abs(expected - Double(out[i * hidden + head * headSize + d])))
                    }
                }
            }
            #expect(worst < 1e-5, "\(kernels.name): max error \(worst)")
        }
    }

    @Test func addLayerNormMatchesTheDefinition() {
        let rows = 3, dim = 48
        let x = Self.random(rows * dim, seed: 4), residual = Self.random(rows * dim, seed: 5)
        let gamma = Self.random(dim, seed: 6), beta = Self.random(dim, seed: 7)
        for kernels in EncoderKernelChoice.available {
            var out = x
            kernels.addLayerNorm(x: &out, residual: residual, gamma: gamma, beta: beta, rows: 0..<rows, dim: dim, epsilon: 1e-12)
            var worst = 0.0
            for r in 0..<rows {
                let v = (0..<dim).map { Double(x[r * dim + $0]) + Double(residual[r * dim + $0]) }
                let mean = v.reduce(0, +) / Double(dim)
                let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(dim)
                for c in 0..<dim {
                    let expected = (v[c] - mean) / (variance + 1e-12).squareRoot() * Double(gamma[c]) + Double(beta[c])
                    worst = max(worst, abs(expected - Double(out[r * dim + c])))
                }
            }
            #expect(worst < 1e-5, "\(kernels.name): max error \(worst)")
        }
    }
}
