import Foundation
import VectorKernelsAVX2
import VectorKernelsAVX512
import VectorKernelsBaseline
import VectorKernelsInt8

/// The instruction sets vectord's distance kernels are compiled for (one module each).
public enum InstructionSet: String, Sendable, CaseIterable, Comparable {
    /// x86-64 baseline (SSE2); also what non-x86 machines run.
    case baseline
    /// AVX2 + FMA (`-target-cpu haswell`).
    case avx2
    /// AVX-512 F/CD/BW/DQ/VL (`-target-cpu skylake-avx512`).
    case avx512
    /// AVX-512 as above for floats, plus VNNI (`vpdpbusd`) for the integer kernel of int8 indexes.
    case avx512vnni

    /// The /proc/cpuinfo flags a CPU needs for code compiled with this set's `-target-cpu`
    /// (vector extensions and the scalar ones the compiler may also use).
    var requiredFlags: Set<String> {
        switch self {
        case .baseline: []
        case .avx2: ["avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "movbe", "popcnt", "abm"]
        case .avx512: InstructionSet.avx2.requiredFlags.union(["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"])
        case .avx512vnni: InstructionSet.avx512.requiredFlags.union(["avx512_vnni"])
        }
    }

    /// The integer kernel (int8 indexes) this set runs: VNNI's, else AVX2's, else the portable one.
    var int8Kernel: String {
        switch self {
        case .baseline: "scalar"
        case .avx2, .avx512: "avx2"
        case .avx512vnni: "avx512vnni"
        }
    }

    public static func < (a: InstructionSet, b: InstructionSet) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Which kernels to run: `VECTORD_KERNELS` (`auto`, the default, or one set by name).
public enum KernelChoice: Sendable, Equatable {
    case auto
    case forced(InstructionSet)
}

/// One instruction set's kernels, as C function pointers (literal closures that tail-call into its
/// module: Swift forms C pointers only from local references).
struct KernelTable: Sendable {
    typealias FloatKernel = @convention(c) (UnsafePointer<Float>, UnsafePointer<Float>, Int) -> Float
    /// Σ codeᵢ·queryᵢ, exact in 32 bits (VectorKernelsInt8).
    typealias CodeKernel = @convention(c) (UnsafePointer<UInt8>?, UnsafePointer<Int8>?, Int) -> Int32

    let instructionSet: InstructionSet
    let dot: FloatKernel
    let squaredL2: FloatKernel
    let dotU8I8: CodeKernel

    static func compiled(for set: InstructionSet) -> KernelTable {
        // The C functions themselves (no Swift thunk in between).
        let int8: CodeKernel = switch set.int8Kernel {
        case "avx512vnni": lakehouse_dot_u8i8_avx512vnni
        case "avx2": lakehouse_dot_u8i8_avx2
        default: lakehouse_dot_u8i8_scalar
        }
        return switch set {
        case .baseline:
            KernelTable(instructionSet: set, dot: { VectorKernelsBaseline.kernelDot($0, $1, $2) },
                        squaredL2: { VectorKernelsBaseline.kernelSquaredL2($0, $1, $2) }, dotU8I8: int8)
        case .avx2:
            KernelTable(instructionSet: set, dot: { VectorKernelsAVX2.kernelDot($0, $1, $2) },
                        squaredL2: { VectorKernelsAVX2.kernelSquaredL2($0, $1, $2) }, dotU8I8: int8)
        case .avx512, .avx512vnni:
            KernelTable(instructionSet: set, dot: { VectorKernelsAVX512.kernelDot($0, $1, $2) },
                        squaredL2: { VectorKernelsAVX512.kernelSquaredL2($0, $1, $2) }, dotU8I8: int8)
        }
    }
}

/// Chooses the distance kernels once per process: the widest instruction set the CPU has (read
/// from /proc/cpuinfo), unless `VECTORD_KERNELS` names one. A forced set the CPU lacks falls back
/// to the best one it has, never to code that would fault.
public enum KernelDispatch {
    /// The kernels every distance in this process uses.
    static let active: KernelTable = KernelTable.compiled(for: selected)

    /// The instruction set whose kernels this process runs.
    public static let selected: InstructionSet = choose(
        (try? VectorConfig.kernelChoice(ProcessInfo.processInfo.environment)) ?? .auto, cpuFlags: cpuFlags())

    /// The sets a CPU with `flags` can run, ascending.
    static func supported(cpuFlags flags: Set<String>) -> [InstructionSet] {
        #if arch(x86_64)
        InstructionSet.allCases.filter { $0.requiredFlags.isSubset(of: flags) }
        #else
        [.baseline]
        #endif
    }

    static func choose(_ choice: KernelChoice, cpuFlags flags: Set<String>) -> InstructionSet {
        let available = supported(cpuFlags: flags)
        switch choice {
        case .auto: return available.last!
        case .forced(let set): return available.last { $0 <= set }!
        }
    }

    /// The `flags` line of /proc/cpuinfo (empty where there is none: baseline kernels).
    static func cpuFlags(cpuinfo path: String = "/proc/cpuinfo") -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":")
        else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
