import LakehouseKit

/// Every `REPLAYD_*` variable, parsed and validated in one place.
///
/// | variable | default | accepted |
/// | --- | --- | --- |
/// | `REPLAYD_DEFAULT_LIMIT` | 10 | 1…`REPLAYD_MAX_LIMIT`: runs replayed when a request names neither `run_ids` nor `limit` |
/// | `REPLAYD_MAX_LIMIT` | 1000 | 1…100000: most runs (or run ids) in one replay |
/// | `REPLAYD_FILL_TIMEOUT_MS` | 30000 | 100…600000: one replayed `POST /v1/fill` |
public struct ReplayConfig: Sendable, Equatable {
    public static let variables = ["REPLAYD_DEFAULT_LIMIT", "REPLAYD_MAX_LIMIT", "REPLAYD_FILL_TIMEOUT_MS"]

    public var defaultLimit = 10
    public var maxLimit = 1000
    public var fillTimeoutMs = 30_000
    public var dataRoot: String

    public init(dataRoot: String) { self.dataRoot = dataRoot }

    public init(environment: Environment, dataRoot: String) throws(ConfigError) {
        if let unknown = environment.values.keys.sorted().first(where: { $0.hasPrefix("REPLAYD_") && !Self.variables.contains($0) }) {
            throw ConfigError("\(unknown): unknown variable; known: \(Self.variables.joined(separator: ", "))")
        }
        self.dataRoot = dataRoot
        maxLimit = try environment.int("REPLAYD_MAX_LIMIT", default: 1000, in: 1...100_000)
        defaultLimit = try environment.int("REPLAYD_DEFAULT_LIMIT", default: min(10, maxLimit), in: 1...maxLimit)
        fillTimeoutMs = try environment.int("REPLAYD_FILL_TIMEOUT_MS", default: 30_000, in: 100...600_000)
    }

    public var paths: ArtifactPaths { ArtifactPaths(root: dataRoot) }
}
