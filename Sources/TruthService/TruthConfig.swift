import Foundation
import LakehouseKit

/// Every `TRUTHD_*` variable, parsed and validated in one place; a bad value is one
/// `ConfigError` line naming the variable (the daemon exits 2).
///
/// | variable | default | meaning |
/// | --- | --- | --- |
/// | `TRUTHD_SOURCE_PRIORITY` | `hr_system,background_check,client_feedback,self_reported` | sources, most trusted first; unnamed sources rank below all of them |
/// | `TRUTHD_MAX_BATCH` | 10000 | most claims in one `POST /v1/claims`; more is 413 (the streamed import has no count limit) |
/// | `TRUTHD_MAX_SUBJECTS` | 1000 | most subjects in one `POST /v1/facts`; more is 413 |
/// | `TRUTHD_SEGMENT_BYTES` | 64M | claim log segment size |
/// | `TRUTHD_JOURNAL` | `on` | `on`: every accepted claim batch is journaled (`truth.claims_ingested`) through the journal client; `off`: not |
public struct TruthConfig: Sendable {
    public static let variables = ["TRUTHD_SOURCE_PRIORITY", "TRUTHD_MAX_BATCH", "TRUTHD_MAX_SUBJECTS", "TRUTHD_SEGMENT_BYTES", "TRUTHD_JOURNAL"]
    public static let defaultPriority = ["hr_system", "background_check", "client_feedback", "self_reported"]

    public var directory: String
    public var sourcePriority: [String]
    public var maxBatch: Int
    public var maxSubjects: Int
    public var segmentBytes: Int
    public var journal: Bool

    public init(environment: Environment, dataDirectory: String) throws(ConfigError) {
        if let unknown = environment.values.keys.sorted().first(where: { $0.hasPrefix("TRUTHD_") && !Self.variables.contains($0) }) {
            throw ConfigError("\(unknown) is not a truthd variable; known: \(Self.variables.joined(separator: ", "))")
        }
        directory = dataDirectory
        if environment["TRUTHD_SOURCE_PRIORITY"] != nil {
            let list = environment.list("TRUTHD_SOURCE_PRIORITY")
            guard !list.isEmpty, Set(list).count == list.count else {
                throw ConfigError("TRUTHD_SOURCE_PRIORITY=\(environment["TRUTHD_SOURCE_PRIORITY"]!) is invalid: expected distinct comma-separated source names")
            }
            sourcePriority = list
        } else {
            sourcePriority = Self.defaultPriority
        }
        maxBatch = try environment.int("TRUTHD_MAX_BATCH", default: 10_000, in: 1...1_000_000)
        maxSubjects = try environment.int("TRUTHD_MAX_SUBJECTS", default: 1_000, in: 1...100_000)
        segmentBytes = try environment.bytes("TRUTHD_SEGMENT_BYTES", default: 64 << 20, in: (64 << 10)...(1 << 30))
        journal = try environment.choice("TRUTHD_JOURNAL", default: "on", from: ["on", "off"]) == "on"
    }
}
