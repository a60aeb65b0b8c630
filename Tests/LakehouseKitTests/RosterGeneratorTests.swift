import Foundation
import LakehouseKit
import Testing

/// The demo data generator (SPEC §5): deterministic, schema-valid, with the certification mix and
/// claim conflicts the validators and truthd rely on.
@Suite struct RosterGeneratorTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Approximate bounding boxes (min lat, max lat, min lon, max lon) of the gazetteer's states,
    /// from the US Census Bureau's state extents, written here independently of the generator.
    static let stateBounds: [String: (Double, Double, Double, Double)] = [
        "OH": (38.40, 41.98, -84.82, -80.52), "MI": (41.69, 48.31, -90.42, -82.12), "IN": (37.77, 41.77, -88.10, -84.78),
        "IL": (36.97, 42.51, -91.51, -87.02), "PA": (39.72, 42.27, -80.52, -74.69), "NY": (40.50, 45.02, -79.76, -71.85),
        "KY": (36.50, 39.15, -89.57, -81.96), "TN": (34.98, 36.68, -90.31, -81.65), "GA": (30.36, 35.00, -85.61, -80.84),
        "TX": (25.84, 36.50, -106.65, -93.51), "CA": (32.53, 42.01, -124.41, -114.13), "AZ": (31.33, 37.00, -114.82, -109.05),
        "NV": (35.00, 42.00, -120.01, -114.04), "WA": (45.54, 49.00, -124.85, -116.92), "OR": (41.99, 46.29, -124.57, -116.46),
        "CO": (36.99, 41.00, -109.06, -102.04), "MO": (35.99, 40.61, -95.77, -89.10), "NC": (33.84, 36.59, -84.32, -75.46),
        "FL": (24.52, 31.00, -87.63, -80.03), "WI": (42.49, 47.08, -92.89, -86.25), "MN": (43.50, 49.38, -97.24, -89.49),
        "NJ": (38.93, 41.36, -75.56, -73.89), "AL": (30.14, 35.01, -88.47, -84.89), "SC": (32.03, 35.22, -83.35, -78.54),
    ]

    static func workers(_ dir: String) throws -> [Worker] {
        try String(contentsOfFile: dir + "/workers.jsonl", encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Worker.self, from: Data($0.utf8))
        }
    }

    @Test func sameSeedAndCountGiveByteIdenticalFiles() throws {
        let a = TemporaryDirectory(), b = TemporaryDirectory(), c = TemporaryDirectory()
        defer { a.cleanup(); b.cleanup(); c.cleanup() }
        try RosterGenerator(count: 3_000, seed: 42).write(to: a.path)
        try RosterGenerator(count: 3_000, seed: 42).write(to: b.path)
        try RosterGenerator(count: 3_000, seed: 7).write(to: c.path)
        for file in ["workers.jsonl", "roles.json", "cities.json", "claims.jsonl"] {
            let first = try Data(contentsOf: URL(fileURLWithPath: a.path + "/" + file))
            #expect(!first.isEmpty)
            #expect(first == (try Data(contentsOf: URL(fileURLWithPath: b.path + "/" + file))), "\(file)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: a.path + "/workers.jsonl")) != (try Data(contentsOf: URL(fileURLWithPath: c.path + "/workers.jsonl"))))
        // A longer roster starts with the shorter one: worker i does not depend on the count.
        let d = TemporaryDirectory()
        defer { d.cleanup() }
        try RosterGenerator(count: 3_500, seed: 42).write(to: d.path)
        let short = try String(contentsOfFile: a.path + "/workers.jsonl", encoding: .utf8)
        #expect(try String(contentsOfFile: d.path + "/workers.jsonl", encoding: .utf8).hasPrefix(short))
    }

    @Test func everyWorkerIsValidAgainstTheWorkerSchema() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try RosterGenerator(count: 5_000, seed: 42).write(to: dir.path)
        let schema = Self.repositoryRoot + "/Sources/LakehouseKit/Schemas/worker.schema.json"
        let (status, output) = try Self.python(["Tests/Python/validate_jsonl.py", schema, dir.path + "/workers.jsonl"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("valid 5000"), "\(output)")
        // The validator is not vacuous: a worker without an id, with a bad phone and shift, fails.
        let bad = dir.path + "/bad.jsonl"
        try #"{"name":"A B","role":"welder","skills":[],"certifications":[],"city":"Toledo","state":"OH","lat":41.6,"lon":-83.5,"shifts":["4th"],"days":["mon"],"pay_rate":20,"status":"active","phone":"555-1234","email":"a.b@example.com"}"#
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let (badStatus, badOutput) = try Self.python(["Tests/Python/validate_jsonl.py", schema, bad])
        #expect(badStatus == 1)
        #expect(badOutput.contains("'id' is a required property") && badOutput.contains("phone") && badOutput.contains("shifts"), "\(badOutput)")
    }

    @Test func certifiedRolesHaveTheirCertificationForMostButNotAllWorkers() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try RosterGenerator(count: 8_000, seed: 42).write(to: dir.path)
        let workers = try Self.workers(dir.path)
        for role in RoleVocabulary.all {
            let ofRole = workers.filter { $0.role == role.name }
            #expect(ofRole.count >= 50, "\(role.name): \(ofRole.count) workers")
            guard let certification = role.certification else {
                #expect(ofRole.allSatisfy { !$0.certifications.contains(where: { $0 != "osha-10" }) }, "\(role.name) holds a role certification")
                continue
            }
            let share = Double(ofRole.filter { $0.certifications.contains(certification) }.count) / Double(ofRole.count)
            #expect(share > 0.75 && share < 0.95, "\(role.name): \(share)")
        }
        // Forklift operators in Ohio exist in quantity, in every Ohio city.
        let ohio = workers.filter { $0.role == "forklift operator" && $0.state == "OH" }
        #expect(ohio.count >= 200)
        #expect(Set(ohio.map(\.city)) == Set(Gazetteer.cities.filter { $0.state == "OH" }.map(\.name)))
        // Names vary; exact duplicates of a full name are the exception.
        #expect(Set(workers.map(\.name)).count > workers.count / 2)
        #expect(Set(workers.map(\.email)).count == workers.count)
        #expect(Double(workers.filter(\.isActive).count) / Double(workers.count) > 0.8)
    }

    @Test func coordinatesLieWithinTheirStateAndNearTheirCity() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try RosterGenerator(count: 8_000, seed: 9).write(to: dir.path)
        for worker in try Self.workers(dir.path) {
            let bounds = try #require(Self.stateBounds[worker.state], "no bounds for \(worker.state)")
            #expect(worker.lat >= bounds.0 && worker.lat <= bounds.1 && worker.lon >= bounds.2 && worker.lon <= bounds.3, "\(worker.id) \(worker.city), \(worker.state) at \(worker.lat),\(worker.lon)")
            let city = try #require(Gazetteer.city(named: worker.city, state: worker.state))
            #expect(Gazetteer.distanceMiles(lat1: city.lat, lon1: city.lon, lat2: worker.lat, lon2: worker.lon) <= RosterGenerator.jitterMiles + 0.05)
        }
    }

    /// Reconciling the claims with truthd's default rules (source priority, then recency, then
    /// confidence) must give exactly the roster's certifications, and conflicts must exist.
    @Test func reconciledClaimsAgreeWithTheRoster() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try RosterGenerator(count: 10_000, seed: 42).write(to: dir.path)
        let workers = Dictionary(uniqueKeysWithValues: try Self.workers(dir.path).map { ("worker:" + $0.id, $0) })
        let priority = ["hr_system", "background_check", "client_feedback", "self_reported"]
        var claims: [String: [Claim]] = [:]
        for line in try String(contentsOfFile: dir.path + "/claims.jsonl", encoding: .utf8).split(separator: "\n") {
            let claim = try JSONDecoder().decode(Claim.self, from: Data(line.utf8))
            claims[claim.subject + "|" + claim.attribute, default: []].append(claim)
        }
        var conflicts = 0
        for (key, group) in claims {
            let winner = group.sorted {
                let (a, b) = (priority.firstIndex(of: $0.source)!, priority.firstIndex(of: $1.source)!)
                return a != b ? a < b : ($0.observedAt != $1.observedAt ? $0.observedAt > $1.observedAt : ($0.confidence ?? 0) > ($1.confidence ?? 0))
            }[0]
            if Set(group.map(\.value)).count > 1 { conflicts += 1 }
            let worker = try #require(workers[String(key.split(separator: "|")[0])])
            let certification = String(key.split(separator: "|")[1].dropFirst("certification.".count))
            #expect(winner.value == .bool(worker.certifications.contains(certification)), "\(key)")
        }
        #expect(conflicts > 100)
        // Every held certification has its hr_system claim.
        for worker in workers.values {
            for certification in worker.certifications {
                #expect(claims["worker:\(worker.id)|certification.\(certification)"]?.contains { $0.source == "hr_system" && $0.value == .bool(true) } == true)
            }
        }
    }

    @Test func rolesAndCitiesFilesDescribeTheVocabularyAndGazetteer() throws {
        let roles = try #require(try JSONSerialization.jsonObject(with: Data(RosterGenerator.rolesJSON())) as? [[String: Any]])
        #expect(roles.count == RoleVocabulary.all.count && roles.count >= 30)
        #expect(roles.first?["plurals"] as? [String] == ["forklift operators", "forklift drivers", "fork lift operators", "forklift ops", "hi-lo drivers", "lift truck operators"])
        #expect(roles.filter { $0["certification"] is String }.count >= 5)
        let cities = try #require(try JSONSerialization.jsonObject(with: Data(RosterGenerator.citiesJSON())) as? [[String: Any]])
        #expect(cities.count == Gazetteer.cities.count)
        #expect(Set(cities.compactMap { $0["state"] as? String }).count >= 20)
        #expect(cities.first?["lat"] as? Double == 41.6528)
    }

    @Test func pluralsOfRolePhrases() {
        #expect(RoleNames.plural("forklift operator") == "forklift operators")
        #expect(RoleNames.plural("rn") == "rns")
        #expect(RoleNames.plural("cdl-a driver") == "cdl-a drivers")
        #expect(RoleNames.plural("waitress") == "waitresses")
        #expect(RoleNames.plural("secretary") == "secretaries")
        #expect(RoleNames.plural("maintenance tech") == "maintenance techs")
        #expect(RoleNames.plural("journeyman electrician") == "journeyman electricians")
    }

    /// Runs a Python test tool from the repository root; a missing module fails the test.
    static func python(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
