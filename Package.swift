// swift-tools-version:6.0
// Lakehouse: eleven daemons over one common library. No package dependencies by design (SPEC §2).
import PackageDescription

/// (executable name, its service library). The executable is a few lines; the library holds the logic.
let daemons: [(executable: String, service: String)] = [
    ("gateway", "GatewayService"),
    ("embedd", "EmbedService"),
    ("vectord", "VectorService"),
    ("matrixd", "MatrixService"),
    ("chatd", "ChatService"),
    ("validatord", "ValidatorService"),
    ("materializerd", "MaterializerService"),
    ("replayd", "ReplayService"),
    ("observerd", "ObserverService"),
    ("journald", "JournalService"),
    ("truthd", "TruthService"),
]

/// Opt-in CPU tuning for the vector kernels: `LAKEHOUSE_TARGET_CPU=haswell swift build -c release`
/// lets the compiler use AVX2 in VectorService (the default build is portable x86-64, SSE only).
/// hnswlib's pip build uses -march=native, so the benchmark can compare like with like.
let vectorCPUFlags: [SwiftSetting] = Context.environment["LAKEHOUSE_TARGET_CPU"].map { [.unsafeFlags(["-target-cpu", $0])] } ?? []

/// vectord's distance kernels, one module per instruction set from one source file (the AVX
/// directories link to the baseline's); VectorService's KernelDispatch picks one at start from the
/// CPU's features, so the default build runs the fastest kernels the CPU has.
var vectorKernelTargets: [(name: String, settings: [SwiftSetting])] = [("VectorKernelsBaseline", [])]
#if arch(x86_64)
vectorKernelTargets += [
    ("VectorKernelsAVX2", [.unsafeFlags(["-target-cpu", "haswell"]), .define("KERNELS_FMA")]),
    ("VectorKernelsAVX512", [.unsafeFlags(["-target-cpu", "skylake-avx512"]), .define("KERNELS_FMA")]),
]
#else
vectorKernelTargets += [("VectorKernelsAVX2", []), ("VectorKernelsAVX512", [])]
#endif

/// embedd's MiniLM encoder kernels, optimised even in debug builds (the tests run the real model),
/// plus, on x86-64, the same code compiled for AVX2 + FMA, chosen at run time by CPU flags.
var miniLMKernelTargets: [Target] = [.target(name: "MiniLMKernels", path: "Sources/MiniLMKernels", swiftSettings: [.unsafeFlags(["-O"])])]
#if arch(x86_64)
miniLMKernelTargets.append(.target(
    name: "MiniLMKernelsHaswell", dependencies: ["MiniLMKernels"], path: "Sources/MiniLMKernelsHaswell",
    swiftSettings: [.unsafeFlags(["-O", "-target-cpu", "haswell"])]))
#endif

/// Services with their own unit-test target under Tests/<Service>Tests.
let testedServices: Set<String> = ["EmbedService", "VectorService", "GatewayService", "JournalService", "ChatService", "MatrixService", "ValidatorService", "TruthService", "MaterializerService", "ReplayService", "ObserverService"]

var targets: [Target] = [
    // epoll/eventfd headers for the event loop; Swift's Glibc module does not export them.
    .target(name: "CEpoll", path: "Sources/CEpoll"),
    // Schemas/ holds the canonical JSON Schema files (SPEC §7), checked by the tests; the daemons use
    // copies compiled in by Scripts/gen-schemas, so the files are not shipped as resources.
    .target(name: "LakehouseKit", dependencies: ["CEpoll"], path: "Sources/LakehouseKit", exclude: ["Schemas"]),
    // Operator CLI (SPEC §2 welcomes it beside the eleven daemons): ingest, status, benchmarks.
    .executableTarget(name: "lakehouse", dependencies: ["LakehouseKit", "EmbedService", "VectorService"], path: "Sources/lakehouse"),
    .testTarget(name: "LakehouseKitTests", dependencies: ["LakehouseKit"], path: "Tests/LakehouseKitTests"),
    // Fleet tests start the real daemon binaries; they depend on the executables being built first.
    .testTarget(
        name: "FleetTests",
        dependencies: ["LakehouseKit", "lakehouse"] + daemons.map { .target(name: $0.executable) },
        path: "Tests/FleetTests"
    ),
] + miniLMKernelTargets
for kernel in vectorKernelTargets {
    targets.append(.target(name: kernel.name, path: "Sources/\(kernel.name)", swiftSettings: kernel.settings))
}
// int8 indexes' integer kernels (AVX-512 VNNI, AVX2, portable), C with per-function target attributes;
// optimised even in debug builds so the tests' int8 indexes are not slowed by -O0.
targets.append(.target(name: "VectorKernelsInt8", path: "Sources/VectorKernelsInt8", cSettings: [.unsafeFlags(["-O2"])]))
/// Kernel modules each service links besides LakehouseKit.
let kernelDependencies: [String: [Target.Dependency]] = [
    "VectorService": vectorKernelTargets.map { .target(name: $0.name) } + [.target(name: "VectorKernelsInt8")],
    "EmbedService": miniLMKernelTargets.map { .target(name: $0.name) },
]
for daemon in daemons {
    targets.append(.target(
        name: daemon.service,
        dependencies: ["LakehouseKit"] + (kernelDependencies[daemon.service] ?? []),
        path: "Sources/\(daemon.service)",
        swiftSettings: daemon.service == "VectorService" ? vectorCPUFlags : []
    ))
    targets.append(.executableTarget(
        name: daemon.executable,
        dependencies: ["LakehouseKit", .target(name: daemon.service)],
        path: "Sources/\(daemon.executable)"
    ))
    if testedServices.contains(daemon.service) {
        targets.append(.testTarget(
            name: "\(daemon.service)Tests",
            dependencies: ["LakehouseKit", .target(name: daemon.service)],
            path: "Tests/\(daemon.service)Tests"
        ))
    }
}

let package = Package(
    name: "Lakehouse",
    platforms: [.macOS(.v15)],
    products: (daemons.map(\.executable) + ["lakehouse"]).map { .executable(name: $0, targets: [$0]) },
    targets: targets,
    swiftLanguageModes: [.v6]
)
