import Foundation
import MiniLMKernels
#if canImport(MiniLMKernelsHaswell)
import MiniLMKernelsHaswell
#endif

/// Which compiled copy of the encoder kernels this CPU runs: the AVX2 + FMA one when the kernel
/// reports both flags in /proc/cpuinfo (Linux clears them when the OS does not save AVX state),
/// the portable one otherwise.
enum EncoderKernelChoice {
    /// Every set this CPU can run, fastest first.
    static var available: [any EncoderKernelSet.Type] {
        var sets: [any EncoderKernelSet.Type] = []
        #if canImport(MiniLMKernelsHaswell)
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { sets.append(HaswellKernels.self) }
        #endif
        sets.append(PortableKernels.self)
        return sets
    }

    /// The fastest set this CPU can run.
    static var best: any EncoderKernelSet.Type { available[0] }

    static var cpuFlags: Set<Substring> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let colon = line.firstIndex(of: ":")
        else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " "))
    }
}
