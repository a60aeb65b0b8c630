import Foundation
import Testing
import LakehouseKit

/// Meaning, not spelling: paraphrased requests that share no word with the role name find that
/// role's workers with all-MiniLM-L6-v2 far more often than with the lexical `hash` embedder.
@Suite(.serialized) struct MiniLMMeaningFleetTests {
    /// (role, skills, paraphrases sharing no word with the role name).
    static let roles: [(role: String, skills: [String], queries: [String])] = [
        ("forklift operator", ["reach truck", "pallet jack", "inventory"], ["lift truck driver", "someone to move pallets with a lift truck"]),
        ("registered nurse", ["patient care", "medication administration", "charting"], ["RN", "hospital ward caregiver with a license"]),
        ("welder", ["MIG", "TIG", "blueprint reading"], ["welding tech", "metal joining fabricator"]),
        ("CDL-A driver", ["tractor-trailer", "long haul", "DOT compliance"], ["semi truck trucker", "big rig hauler"]),
        ("electrician", ["wiring", "conduit", "panel installation"], ["sparky for electrical wiring jobs", "licensed wireman"]),
        ("line cook", ["grill", "prep", "food safety"], ["kitchen chef for a restaurant", "short-order grill person"]),
        ("security guard", ["patrol", "access control", "CCTV"], ["night watchman", "building protection officer"]),
        ("janitor", ["floor care", "sanitation", "trash removal"], ["custodian", "cleaning staff for offices"]),
        ("HVAC technician", ["air conditioning", "furnace repair", "refrigerant"], ["heating and cooling repair person", "AC mechanic"]),
        ("dental assistant", ["x-rays", "chairside assisting", "sterilization"], ["dentist's aide", "helper at a teeth clinic"]),
        ("cashier", ["POS", "cash handling", "customer service"], ["checkout clerk", "till operator at a grocery store"]),
        ("carpenter", ["framing", "finish work", "power tools"], ["woodworker", "builds wooden frames for houses"]),
        ("plumber", ["pipe fitting", "drain cleaning", "water heaters"], ["someone to fix leaking pipes", "pipefitter"]),
        ("receptionist", ["phones", "scheduling", "front desk"], ["office greeter answering calls", "front office admin"]),
        ("phlebotomist", ["venipuncture", "specimen handling", "lab"], ["blood draw specialist", "person who takes blood samples"]),
        ("bartender", ["mixology", "cocktails", "inventory"], ["mixologist", "pours drinks at a pub"]),
        ("landscaper", ["mowing", "irrigation", "planting"], ["gardener", "lawn care worker"]),
        ("delivery driver", ["route planning", "package handling", "van"], ["courier", "parcel runner"]),
        ("childcare worker", ["early education", "supervision", "first aid"], ["nanny", "daycare helper for toddlers"]),
        ("data entry clerk", ["typing", "spreadsheets", "accuracy"], ["typist", "keyboarding office assistant"]),
    ]
    static let cities = [("Toledo", "OH"), ("Austin", "TX"), ("Fresno", "CA"), ("Tampa", "FL"), ("Reno", "NV"), ("Boise", "ID")]

    /// Six workers per role, text built the way a worker corpus is (role, skills, city, state).
    static var workers: [(role: String, text: String)] {
        var list: [(String, String)] = []
        for (index, entry) in roles.enumerated() {
            for n in 0..<6 {
                let (city, state) = cities[(index + n) % cities.count]
                let skills = entry.skills.enumerated().filter { ($0.offset + n) % 3 != 2 || n == 0 }.map(\.element)
                list.append((entry.role, "\(entry.role); \(skills.joined(separator: ", ")); \(city) \(state)"))
            }
        }
        return list
    }

    private func embed(_ fleet: Fleet, _ texts: [String]) async throws -> [[Double]] {
        let body = try JSONSerialization.data(withJSONObject: ["texts": texts])
        let response = try await fleet.request(.embedd, .POST, "/v1/embed", body: String(decoding: body, as: UTF8.self), timeoutMs: 120_000)
        #expect(response.status == .ok, "\(response.text.prefix(300))")
        return (response.json?["vectors"] as? [[Double]]) ?? []
    }

    /// The share of queries whose top 10 workers (cosine) include their role.
    private func hitRate(_ fleet: Fleet) async throws -> Double {
        let workers = Self.workers
        let workerVectors = try await embed(fleet, workers.map(\.text))
        let queries = Self.roles.flatMap { entry in entry.queries.map { (entry.role, $0) } }
        let queryVectors = try await embed(fleet, queries.map(\.1))
        var hits = 0
        for ((role, _), query) in zip(queries, queryVectors) {
            let ranked = zip(workers, workerVectors).map { worker, vector in
                (worker.role, zip(query, vector).reduce(0) { $0 + $1.0 * $1.1 })
            }.sorted { $0.1 > $1.1 }
            if ranked.prefix(10).contains(where: { $0.0 == role }) { hits += 1 }
        }
        return Double(hits) / Double(queries.count)
    }

    @Test func paraphrasesFindTheirRoleFarMoreOftenWithMiniLMThanWithHash() async throws {
        let model = try await MiniLMModelFiles.directory()
        let minilm = try Fleet()
        defer { minilm.removeData() }
        try minilm.start([.embedd], environment: ["EMBEDD_PROVIDER": "minilm", "EMBEDD_MODEL_DIR": model])
        #expect(await minilm.waitUntilReady(.embedd), "\(minilm.process(.embedd).log)")
        let hash = try Fleet()
        defer { hash.removeData() }
        try hash.start([.embedd])
        #expect(await hash.waitUntilReady(.embedd))

        let minilmRate = try await hitRate(minilm)
        let hashRate = try await hitRate(hash)
        print("meaning: paraphrased queries with their role in the top 10: minilm \(minilmRate), hash \(hashRate) "
            + "(\(Self.roles.count * 2) queries, \(Self.workers.count) workers)")
        #expect(minilmRate >= 0.8, "minilm \(minilmRate)")
        #expect(minilmRate >= hashRate + 0.3, "minilm \(minilmRate) vs hash \(hashRate)")
        _ = minilm.stop()
        _ = hash.stop()
    }
}
