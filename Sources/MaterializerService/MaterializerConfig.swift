import LakehouseKit

/// Every `MATERIALIZERD_*` variable, parsed and validated in one place.
///
/// | variable | default | accepted |
/// | --- | --- | --- |
/// | `MATERIALIZERD_PAGE_SIZE` | 1000 | 1…100000 journal events per `GET /v1/events` page (at most journald's `JOURNALD_MAX_QUERY_LIMIT`) |
/// | `MATERIALIZERD_GRACE_S` | 300 | 0…86400: seconds an unfinished run (or one whose events are not all in yet) waits before it is quarantined as incomplete |
public struct MaterializerConfig: Sendable, Equatable {
    public static let variables = ["MATERIALIZERD_PAGE_SIZE", "MATERIALIZERD_GRACE_S"]

    public var pageSize: Int
    public var graceSeconds: Int
    /// `LAKEHOUSE_DATA_DIR`: the artifact folders hang off it; the cursor lives in `<dir>/materializerd/`.
    public var dataRoot: String

    public init(pageSize: Int = 1000, graceSeconds: Int = 300, dataRoot: String) {
        self.pageSize = pageSize
        self.graceSeconds = graceSeconds
        self.dataRoot = dataRoot
    }

    public init(environment: Environment, dataRoot: String) throws(ConfigError) {
        if let unknown = environment.values.keys.sorted().first(where: { $0.hasPrefix("MATERIALIZERD_") && !Self.variables.contains($0) }) {
            throw ConfigError("\(unknown): unknown variable; known: \(Self.variables.joined(separator: ", "))")
        }
        pageSize = try environment.int("MATERIALIZERD_PAGE_SIZE", default: 1000, in: 1...100_000)
        graceSeconds = try environment.int("MATERIALIZERD_GRACE_S", default: 300, in: 0...86_400)
        self.dataRoot = dataRoot
    }

    public var paths: ArtifactPaths { ArtifactPaths(root: dataRoot) }
    public var cursorPath: String { dataRoot + "/materializerd/cursor.json" }
}
