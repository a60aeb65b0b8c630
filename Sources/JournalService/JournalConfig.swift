import Foundation
import LakehouseKit

/// Every `JOURNALD_*` variable, parsed and validated in one place; a bad value is one
/// `ConfigError` line naming the variable (the daemon exits 2).
///
/// | variable | default | meaning |
/// | --- | --- | --- |
/// | `JOURNALD_SEGMENT_BYTES` | 64 MiB | start a new segment file once the current one passes this (64K…1G) |
/// | `JOURNALD_MAX_BATCH` | 10000 | most events in one `POST /v1/events`; more is 413 |
/// | `JOURNALD_MAX_EVENT_BYTES` | 1 MiB | largest canonical event; larger is 413 |
/// | `JOURNALD_MAX_QUERY_LIMIT` | 1000 | largest `limit` of `GET /v1/events` (default limit 100) |
/// | `JOURNALD_VERIFY_THREADS` | cores | threads `GET /v1/verify` hashes with |
public struct JournalConfig: Sendable {
    public static let variables = ["JOURNALD_SEGMENT_BYTES", "JOURNALD_MAX_BATCH", "JOURNALD_MAX_EVENT_BYTES",
                                   "JOURNALD_MAX_QUERY_LIMIT", "JOURNALD_VERIFY_THREADS"]

    /// `$LAKEHOUSE_DATA_DIR/journald`.
    public var directory: String
    public var segmentBytes: Int
    public var maxBatch: Int
    public var maxEventBytes: Int
    public var maxQueryLimit: Int
    public var verifyThreads: Int

    public init(environment: Environment, dataDirectory: String) throws(ConfigError) {
        if let unknown = environment.values.keys.sorted().first(where: { $0.hasPrefix("JOURNALD_") && !Self.variables.contains($0) }) {
            throw ConfigError("\(unknown) is not a journald variable; known: \(Self.variables.joined(separator: ", "))")
        }
        directory = dataDirectory
        segmentBytes = try environment.bytes("JOURNALD_SEGMENT_BYTES", default: 64 << 20, in: (64 << 10)...(1 << 30))
        maxBatch = try environment.int("JOURNALD_MAX_BATCH", default: 10_000, in: 1...1_000_000)
        maxEventBytes = try environment.bytes("JOURNALD_MAX_EVENT_BYTES", default: 1 << 20, in: 1024...(16 << 20))
        maxQueryLimit = try environment.int("JOURNALD_MAX_QUERY_LIMIT", default: 1_000, in: 1...100_000)
        verifyThreads = try environment.int("JOURNALD_VERIFY_THREADS", default: max(1, ProcessInfo.processInfo.activeProcessorCount), in: 1...256)
    }
}
