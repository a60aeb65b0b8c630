import Foundation
import LakehouseKit

/// Every `VALIDATORD_*` variable, parsed and validated in one place (SPEC §4: bad config exits 2
/// with one clear line). An empty value counts as unset; an unknown `VALIDATORD_*` name is an error
/// so a typo is not silently ignored.
///
/// | variable | default | accepted |
/// | --- | --- | --- |
/// | `VALIDATORD_ROSTER` | `$LAKEHOUSE_DATA_DIR/seed/workers.jsonl` | a JSONL file of workers; when set explicitly it must exist |
/// | `VALIDATORD_RADIUS_MILES` | 50 | 0.1…12500, `geo_mismatch` radius around the requested city |
/// | `VALIDATORD_MAX_ATTEMPTS` | 10 | 1…10, the largest `max_attempts` an iterate request may ask for |
/// | `VALIDATORD_TRUTHD_TIMEOUT_MS` | 2000 | 1…600000, one truthd facts call; slower counts as unreachable |
public struct ValidatorConfig: Sendable, Equatable {
    public static let variables = ["VALIDATORD_ROSTER", "VALIDATORD_RADIUS_MILES", "VALIDATORD_MAX_ATTEMPTS", "VALIDATORD_TRUTHD_TIMEOUT_MS"]
    /// `max_attempts` of an iterate request that names none (capped by `maxAttempts`).
    public static let defaultAttempts = 3

    public var rosterPath: String
    /// False when the path is the default one: a missing default file starts an empty roster.
    public var rosterPathIsExplicit: Bool
    public var radiusMiles: Double
    public var maxAttempts: Int
    public var truthTimeoutMs: Int

    /// `dataRoot` is `$LAKEHOUSE_DATA_DIR`.
    public init(environment: Environment, dataRoot: String) throws(ConfigError) {
        if let unknown = environment.values.keys.sorted().first(where: { $0.hasPrefix("VALIDATORD_") && !Self.variables.contains($0) }) {
            throw ConfigError("\(unknown): unknown variable; known: \(Self.variables.joined(separator: ", "))")
        }
        if let path = environment["VALIDATORD_ROSTER"] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw ConfigError("VALIDATORD_ROSTER=\(path) is invalid: no such file")
            }
            rosterPath = path
            rosterPathIsExplicit = true
        } else {
            rosterPath = (dataRoot as NSString).appendingPathComponent("seed/workers.jsonl")
            rosterPathIsExplicit = false
        }
        if let text = environment["VALIDATORD_RADIUS_MILES"] {
            guard let miles = Double(text.trimmingCharacters(in: .whitespaces)), miles.isFinite, (0.1...12_500).contains(miles) else {
                throw ConfigError("VALIDATORD_RADIUS_MILES=\(text) is invalid: expected miles from 0.1 to 12500")
            }
            radiusMiles = miles
        } else {
            radiusMiles = 50
        }
        maxAttempts = try environment.int("VALIDATORD_MAX_ATTEMPTS", default: 10, in: 1...10)
        truthTimeoutMs = try environment.int("VALIDATORD_TRUTHD_TIMEOUT_MS", default: 2_000, in: 1...600_000)
    }
}
