import LakehouseKit

/// Every `MATRIXD_*` variable, parsed and validated in one place. A bad value is one clear line
/// naming the variable (the daemon exits 2); an unknown `MATRIXD_*` name is an error too, so a
/// typo is never silently ignored.
///
/// | variable | default | meaning |
/// | --- | --- | --- |
/// | `MATRIXD_RADIUS_MILES` | 50 | workers this close to a request's known city rank ahead of farther ones |
/// | `MATRIXD_PLAYBOOK_BOOST` | 0.1 | most a worker's score can gain from same-role playbooks |
/// | `MATRIXD_DEFAULT_K` | 10 | results of a retrieve that names no `k` |
/// | `MATRIXD_MAX_K` | 200 | largest `k` accepted |
/// | `MATRIXD_EMBED_BATCH` | 256 | texts per call to embedd during ingest (≤ embedd's `EMBEDD_MAX_TEXTS`) |
/// | `MATRIXD_UPSERT_BATCH` | 2048 | records per upsert to vectord during ingest |
/// | `MATRIXD_INGEST_PARALLEL` | 4 | embed calls in flight during one ingest |
/// | `MATRIXD_MAX_RECORD_BYTES` | 1 MiB | largest single record in an ingest |
/// | `MATRIXD_UPSERT_TIMEOUT_MS` | 600000 | how long vectord may take to store one ingest batch |
/// | `MATRIXD_CHAT_TIMEOUT_MS` | 5000 | how long the role-extraction fallback waits for chatd |
/// | `MATRIXD_LLM_FALLBACK` | on | `off` skips chatd (regex only) |
public struct MatrixConfig: Sendable, Equatable {
    public static let variables = [
        "MATRIXD_RADIUS_MILES", "MATRIXD_PLAYBOOK_BOOST", "MATRIXD_DEFAULT_K", "MATRIXD_MAX_K", "MATRIXD_EMBED_BATCH",
        "MATRIXD_UPSERT_BATCH", "MATRIXD_INGEST_PARALLEL", "MATRIXD_MAX_RECORD_BYTES", "MATRIXD_UPSERT_TIMEOUT_MS", "MATRIXD_CHAT_TIMEOUT_MS",
        "MATRIXD_LLM_FALLBACK",
    ]

    public var radiusMiles = 50.0
    public var playbookBoost = 0.1
    public var defaultK = 10
    public var maxK = 200
    public var embedBatch = 256
    public var upsertBatch = 2048
    public var ingestParallel = 4
    public var maxRecordBytes = 1 << 20
    public var upsertTimeoutMs = 600_000
    public var chatTimeoutMs = 5_000
    public var llmFallback = true

    public init() {}

    public init(environment: Environment) throws(ConfigError) {
        if let unknown = environment.values.keys.sorted().first(where: { $0.hasPrefix("MATRIXD_") && !Self.variables.contains($0) }) {
            throw ConfigError("\(unknown) is not a matrixd variable; known: \(Self.variables.joined(separator: ", "))")
        }
        radiusMiles = try Self.number(environment, "MATRIXD_RADIUS_MILES", default: radiusMiles, in: 0.1...5_000)
        playbookBoost = try Self.number(environment, "MATRIXD_PLAYBOOK_BOOST", default: playbookBoost, in: 0...1)
        defaultK = try environment.int("MATRIXD_DEFAULT_K", default: defaultK, in: 1...1_000)
        maxK = try environment.int("MATRIXD_MAX_K", default: maxK, in: 1...1_000)
        embedBatch = try environment.int("MATRIXD_EMBED_BATCH", default: embedBatch, in: 1...100_000)
        upsertBatch = try environment.int("MATRIXD_UPSERT_BATCH", default: upsertBatch, in: 1...100_000)
        ingestParallel = try environment.int("MATRIXD_INGEST_PARALLEL", default: ingestParallel, in: 1...64)
        maxRecordBytes = try environment.bytes("MATRIXD_MAX_RECORD_BYTES", default: maxRecordBytes, in: 256...(64 << 20))
        upsertTimeoutMs = try environment.int("MATRIXD_UPSERT_TIMEOUT_MS", default: upsertTimeoutMs, in: 1...3_600_000)
        chatTimeoutMs = try environment.int("MATRIXD_CHAT_TIMEOUT_MS", default: chatTimeoutMs, in: 1...600_000)
        llmFallback = try environment.choice("MATRIXD_LLM_FALLBACK", default: "on", from: ["on", "off"]) == "on"
        if defaultK > maxK { throw ConfigError("MATRIXD_DEFAULT_K=\(defaultK) exceeds MATRIXD_MAX_K=\(maxK)") }
    }

    private static func number(_ environment: Environment, _ name: String, default fallback: Double, in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let text = environment[name] else { return fallback }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw ConfigError("\(name)=\(text) is invalid: expected a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
