import Foundation

/// Every VECTORD_* variable, parsed and validated in one place. `LAKEHOUSE_DATA_DIR` is shared
/// fleet configuration; it is read here too until LakehouseKit grows a shared config type.
public struct VectorConfig: Sendable, Equatable {
    /// `LAKEHOUSE_DATA_DIR` (default `./data`); indexes live under `<dataDir>/vectord/`.
    public var dataDir: String = "./data"
    /// `VECTORD_SNAPSHOT_WAL_BYTES`: snapshot an index once its log grows past this (default 64 MiB).
    public var snapshotWALBytes: Int = 64 << 20
    /// `VECTORD_EXACT_SEARCH_BELOW`: indexes with fewer live items are searched exactly (default 2,000).
    public var exactSearchBelow: Int = 2_000
    /// `VECTORD_EXACT_FILTER_BELOW`: a filtered search whose matching set has at most this many
    /// live items scans them exactly; above it the filtered graph walk is used unless it would
    /// cost more (`FilteredSearchPlan`), so the cost does not grow with the index (default 2,048).
    public var exactFilterBelow: Int = 2_048
    /// Not configurable: the filtered walk's estimated cost (`FilteredSearchPlan.walkCost`), set
    /// by tests that must take the walk.
    var filterWalkCost: Double = FilteredSearchPlan.walkCost
    /// `VECTORD_DEFAULT_EF`: search breadth when a query names none (default 64).
    public var defaultEF: Int = 64
    /// `VECTORD_MAX_K` (default 1,000).
    public var maxK: Int = 1_000
    /// `VECTORD_MAX_EF` (default 4,096).
    public var maxEF: Int = 4_096
    /// `VECTORD_MAX_BATCH`: most items in one upsert or delete call (default 100,000).
    public var maxBatch: Int = 100_000
    /// `VECTORD_COMPACT_RATIO`: rebuild an index's graph once tombstones exceed this share of its
    /// nodes (default 0.3), so deletes and replacements do not degrade recall or memory.
    public var compactRatio: Double = 0.3
    /// `VECTORD_INSERT_THREADS`: parallel graph inserts for one large upsert (default: cores).
    public var insertThreads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// `VECTORD_SNAPSHOT_INTERVAL_S`: also snapshot every index with unsnapshotted log this often,
    /// so recovery time stays bounded on a quiet index (default 300; 0 = only by log size).
    public var snapshotIntervalSeconds: Int = 300

    /// `VECTORD_KERNELS`: `auto` (default: the widest instruction set this CPU has), or `baseline`,
    /// `avx2`, `avx512` to force one (a set the CPU lacks falls back to the best it has).
    public var kernels: KernelChoice = .auto

    public init() {}

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Parses the environment; a bad value throws one clear line naming the variable.
    public init(environment env: [String: String]) throws(Invalid) {
        if let d = env["LAKEHOUSE_DATA_DIR"], !d.isEmpty { dataDir = d }
        func int(_ name: String, _ range: ClosedRange<Int>, _ into: inout Int) throws(Invalid) {
            guard let raw = env[name], !raw.isEmpty else { return }
            guard let v = Int(raw), range.contains(v) else {
                throw Invalid(description: "\(name)=\(raw): expected an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            into = v
        }
        try int("VECTORD_SNAPSHOT_WAL_BYTES", 1 << 16 ... (1 << 40), &snapshotWALBytes)
        try int("VECTORD_EXACT_SEARCH_BELOW", 0 ... 1_000_000, &exactSearchBelow)
        try int("VECTORD_EXACT_FILTER_BELOW", 0 ... 100_000_000, &exactFilterBelow)
        try int("VECTORD_DEFAULT_EF", 1 ... 4_096, &defaultEF)
        try int("VECTORD_MAX_K", 1 ... 10_000, &maxK)
        try int("VECTORD_MAX_EF", 1 ... 65_536, &maxEF)
        try int("VECTORD_MAX_BATCH", 1 ... 10_000_000, &maxBatch)
        try int("VECTORD_INSERT_THREADS", 1 ... 256, &insertThreads)
        try int("VECTORD_SNAPSHOT_INTERVAL_S", 0 ... 86_400, &snapshotIntervalSeconds)
        if let raw = env["VECTORD_COMPACT_RATIO"], !raw.isEmpty {
            guard let v = Double(raw), v > 0, v < 1 else {
                throw Invalid(description: "VECTORD_COMPACT_RATIO=\(raw): expected a number between 0 and 1")
            }
            compactRatio = v
        }
        kernels = try Self.kernelChoice(env)
        if defaultEF > maxEF { throw Invalid(description: "VECTORD_DEFAULT_EF exceeds VECTORD_MAX_EF") }
    }

    /// `VECTORD_KERNELS`, read on its own too: the kernel dispatcher decides once per process,
    /// before any configuration object exists.
    public static func kernelChoice(_ env: [String: String]) throws(Invalid) -> KernelChoice {
        guard let raw = env["VECTORD_KERNELS"], !raw.isEmpty, raw != "auto" else { return .auto }
        guard let set = InstructionSet(rawValue: raw) else {
            throw Invalid(description: "VECTORD_KERNELS=\(raw): expected auto, baseline, avx2, avx512 or avx512vnni")
        }
        return .forced(set)
    }

    /// `<dataDir>/vectord`: the only directory vectord writes under (SPEC §4 "data").
    public var rootDirectory: String { (dataDir as NSString).appendingPathComponent("vectord") }
}
