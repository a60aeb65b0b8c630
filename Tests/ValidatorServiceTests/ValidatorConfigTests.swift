import Foundation
import LakehouseKit
import Testing
@testable import ValidatorService

@Suite struct ValidatorConfigTests {
    @Test func defaults() throws {
        let config = try ValidatorConfig(environment: Environment([:]), dataRoot: "/data")
        #expect(config.rosterPath == "/data/seed/workers.jsonl" && !config.rosterPathIsExplicit)
        #expect(config.radiusMiles == 50 && config.maxAttempts == 10 && config.truthTimeoutMs == 2_000)
    }

    @Test func badValuesAreOneLineNamingTheVariable() {
        let cases: [([String: String], String)] = [
            (["VALIDATORD_ROSTER": "/nonexistent/workers.jsonl"], "VALIDATORD_ROSTER=/nonexistent/workers.jsonl is invalid: no such file"),
            (["VALIDATORD_RADIUS_MILES": "-3"], "VALIDATORD_RADIUS_MILES=-3 is invalid"),
            (["VALIDATORD_RADIUS_MILES": "far"], "VALIDATORD_RADIUS_MILES=far is invalid"),
            (["VALIDATORD_MAX_ATTEMPTS": "11"], "VALIDATORD_MAX_ATTEMPTS=11 is invalid"),
            (["VALIDATORD_RADUIS_MILES": "5"], "VALIDATORD_RADUIS_MILES: unknown variable"),
        ]
        for (environment, expected) in cases {
            #expect { try ValidatorConfig(environment: Environment(environment), dataRoot: "/data") } throws: { error in
                (error as? ConfigError)?.message.hasPrefix(expected) == true && !((error as? ConfigError)?.message.contains("\n") ?? true)
            }
        }
    }

    @Test func explicitValues() throws {
        let dir = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(FileManager.default.createFile(atPath: dir + "/r.jsonl", contents: Data()))
        let config = try ValidatorConfig(environment: Environment(["VALIDATORD_ROSTER": dir + "/r.jsonl", "VALIDATORD_RADIUS_MILES": "12.5",
                                                                   "VALIDATORD_MAX_ATTEMPTS": "4"]), dataRoot: "/data")
        #expect(config.rosterPath == dir + "/r.jsonl" && config.rosterPathIsExplicit && config.radiusMiles == 12.5 && config.maxAttempts == 4)
    }
}
