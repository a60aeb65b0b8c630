import LakehouseKit

/// Every `OBSERVERD_*` variable, parsed and validated in one place.
///
/// | variable | default | accepted |
/// | --- | --- | --- |
/// | `OBSERVERD_PHASE_TIMEOUT_MS` | 20000 | 100…600000: an audit phase that takes longer is `unavailable` (timed out) |
/// | `OBSERVERD_PROBE_TIMEOUT_MS` | 1000 | 50…60000: one health or metrics probe of a daemon (fleet view, phase 0) |
/// | `OBSERVERD_DRIFT_SCORE` | 0.05 | 0…1: flag drift when the mean score moves by more than this |
/// | `OBSERVERD_DRIFT_PASS_RATE` | 0.10 | 0…1: flag drift when the first-attempt pass rate moves by more than this |
/// | `OBSERVERD_DRIFT_LATENCY_RATIO` | 1.5 | 1…100: flag drift when p90 latency grows by more than this factor |
/// | `OBSERVERD_DRIFT_CATEGORY_SHARE` | 0.10 | 0…1: flag drift when any category's share moves by more than this |
public struct ObserverConfig: Sendable, Equatable {
    public static let variables = ["OBSERVERD_PHASE_TIMEOUT_MS", "OBSERVERD_PROBE_TIMEOUT_MS", "OBSERVERD_DRIFT_SCORE", "OBSERVERD_DRIFT_PASS_RATE",
                                   "OBSERVERD_DRIFT_LATENCY_RATIO", "OBSERVERD_DRIFT_CATEGORY_SHARE"]

    public var phaseTimeoutMs = 20_000
    public var probeTimeoutMs = 1_000
    public var driftScore = 0.05
    public var driftPassRate = 0.10
    public var driftLatencyRatio = 1.5
    public var driftCategoryShare = 0.10
    public var dataRoot: String

    public init(dataRoot: String) { self.dataRoot = dataRoot }

    public init(environment: Environment, dataRoot: String) throws(ConfigError) {
        if let unknown = environment.values.keys.sorted().first(where: { $0.hasPrefix("OBSERVERD_") && !Self.variables.contains($0) }) {
            throw ConfigError("\(unknown): unknown variable; known: \(Self.variables.joined(separator: ", "))")
        }
        self.dataRoot = dataRoot
        phaseTimeoutMs = try environment.int("OBSERVERD_PHASE_TIMEOUT_MS", default: 20_000, in: 100...600_000)
        probeTimeoutMs = try environment.int("OBSERVERD_PROBE_TIMEOUT_MS", default: 1_000, in: 50...60_000)
        driftScore = try Self.fraction(environment, "OBSERVERD_DRIFT_SCORE", 0.05, 0...1)
        driftPassRate = try Self.fraction(environment, "OBSERVERD_DRIFT_PASS_RATE", 0.10, 0...1)
        driftLatencyRatio = try Self.fraction(environment, "OBSERVERD_DRIFT_LATENCY_RATIO", 1.5, 1...100)
        driftCategoryShare = try Self.fraction(environment, "OBSERVERD_DRIFT_CATEGORY_SHARE", 0.10, 0...1)
    }

    static func fraction(_ environment: Environment, _ name: String, _ fallback: Double, _ range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let text = environment[name] else { return fallback }
        guard let value = Double(text), range.contains(value) else {
            throw ConfigError("\(name)=\(text) is invalid: expected a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    public var paths: ArtifactPaths { ArtifactPaths(root: dataRoot) }
}
