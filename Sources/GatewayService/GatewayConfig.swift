import Foundation
import LakehouseKit

/// Every `GATEWAY_*` variable, parsed and validated in one place.
///
/// | variable | default | meaning |
/// | --- | --- | --- |
/// | `GATEWAY_FILL_MAX_COUNT` | 50 | most workers one fill may ask for (1…1000); more is 400 |
/// | `GATEWAY_FILL_RETRIEVE_K` | 20 | fewest workers retrieved for a fill; a fill of n retrieves max(this, 4n) |
/// | `GATEWAY_FILL_MAX_ATTEMPTS` | 3 | draft → validate rounds when the command names none (1…10) |
/// | `GATEWAY_CONSOLE_DIR` | `Console/` found near the executable | directory of the web console's files |
struct GatewayConfig: Sendable, Equatable {
    static let variables = ["GATEWAY_FILL_MAX_COUNT", "GATEWAY_FILL_RETRIEVE_K", "GATEWAY_FILL_MAX_ATTEMPTS", "GATEWAY_CONSOLE_DIR"]

    var fillMaxCount: Int
    var fillRetrieveK: Int
    var fillMaxAttempts: Int
    var consoleDirectory: String?

    init(environment: Environment) throws(ConfigError) {
        if let unknown = environment.values.keys.sorted().first(where: { $0.hasPrefix("GATEWAY_") && !Self.variables.contains($0) }) {
            throw ConfigError("\(unknown) is not a gateway variable; known: \(Self.variables.joined(separator: ", "))")
        }
        fillMaxCount = try environment.int("GATEWAY_FILL_MAX_COUNT", default: 50, in: 1...1000)
        fillRetrieveK = try environment.int("GATEWAY_FILL_RETRIEVE_K", default: 20, in: 1...1000)
        fillMaxAttempts = try environment.int("GATEWAY_FILL_MAX_ATTEMPTS", default: 3, in: 1...10)
        if let directory = environment["GATEWAY_CONSOLE_DIR"], !directory.isEmpty {
            guard FileManager.default.fileExists(atPath: directory + "/index.html") else {
                throw ConfigError("GATEWAY_CONSOLE_DIR=\(directory) has no index.html")
            }
            consoleDirectory = directory
        }
    }
}
