import Foundation
import LakehouseKit
@testable import ChatService

/// Generated fill contexts over several roles and states: each request's worker list mixes
/// qualified workers with ones that break exactly one rule (inactive, wrong role, other state but
/// otherwise fine, too far away in the same state, wrong shift, missing certification), shuffled
/// deterministically, with pay rates, phones and e-mails the drafter must never leak.
enum DraftFixtures {
    struct Scenario {
        let role: String
        let city: String
        let state: String
        /// A city in the same state more than 50 miles away.
        let farCity: String
        /// A city in another state.
        let otherCity: String
        let otherState: String
    }

    static let scenarios = [
        Scenario(role: "forklift operator", city: "Toledo", state: "OH", farCity: "Cincinnati", otherCity: "Detroit", otherState: "MI"),
        Scenario(role: "registered nurse", city: "Chicago", state: "IL", farCity: "Peoria", otherCity: "Milwaukee", otherState: "WI"),
        Scenario(role: "warehouse associate", city: "Dallas", state: "TX", farCity: "Houston", otherCity: "Phoenix", otherState: "AZ"),
        Scenario(role: "cdl driver", city: "Atlanta", state: "GA", farCity: "Savannah", otherCity: "Birmingham", otherState: "AL"),
        Scenario(role: "line cook", city: "Seattle", state: "WA", farCity: "Spokane", otherCity: "Portland", otherState: "OR"),
        Scenario(role: "welder", city: "Pittsburgh", state: "PA", farCity: "Philadelphia", otherCity: "Cleveland", otherState: "OH"),
    ]

    static let firstNames = ["Maria", "James", "Aisha", "Wei", "Carlos", "Fatima", "Olga", "Tunde", "Priya", "Liam", "Sofia", "Kenji",
                             "Amara", "Diego", "Hana", "Marek", "Nadia", "Omar", "Rosa", "Tomas"]
    static let lastNames = ["Lopez", "Okafor", "Nguyen", "Schmidt", "Haddad", "Kowalski", "Tanaka", "Brennan", "Moreau", "Castillo",
                            "Abernathy", "Delgado", "Fitzgerald", "Johansson", "Ramirez", "Whitaker"]

    /// A deterministic generator (SplitMix64), so fixtures are the same on every run.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// `count` fill contexts, cycling through scenarios, shifts, days and requested counts.
    static func contexts(_ count: Int, seed: UInt64 = 7) -> [FillDraftContext] {
        var generator = Generator(state: seed)
        return (0..<count).map { index in
            let scenario = scenarios[index % scenarios.count]
            let requested = 1 + index % 4
            let shift = ["1st", "2nd", "3rd", nil][index % 4]
            let day = ["mon", "wed", nil, "sat", "fri"][index % 5]
            let request = FillRequestSpec(query: "Need \(requested) \(scenario.role)s in \(scenario.city), \(scenario.state)", count: requested,
                                          role: scenario.role, city: scenario.city, state: scenario.state, shift: shift, day: day)
            let workers = roster(for: scenario, request: request, index: index, generator: &generator)
            let playbook = index % 3 == 0 ? workers.filter { FillRules.qualifies($0, for: request) }.suffix(1).map(\.id) : nil
            return FillDraftContext(task: .fillDraft, request: request, workers: workers, playbookWorkerIDs: playbook)
        }
    }

    private static func roster(for scenario: Scenario, request: FillRequestSpec, index: Int, generator: inout Generator) -> [Worker] {
        var workers: [Worker] = []
        var serial = index * 100
        func make(role: String, city cityName: String, state: String, active: Bool = true, dropShift: Bool = false, dropCert: Bool = false) -> Worker {
            serial += 1
            let city = Gazetteer.city(named: cityName, state: state)!
            let first = firstNames[generator.below(firstNames.count)]
            let last = lastNames[generator.below(lastNames.count)]
            var shifts = WorkSchedule.shifts
            if dropShift, let shift = request.shift { shifts.removeAll { $0 == shift } }
            var days = WorkSchedule.days
            if dropShift, request.shift == nil, let day = request.day { days.removeAll { $0 == day } }
            if dropShift, request.shift == nil, request.day == nil { shifts = ["1st"] }
            var certifications = ["osha-10"]
            if let certification = RoleVocabulary.certification(for: role), !dropCert { certifications.append(certification) }
            let pay = 15 + Double(generator.below(1500)) / 100
            let id = String(format: "W-%06d", serial)
            return Worker(id: id, name: "\(first) \(last)", role: role, skills: RoleVocabulary.definition(named: role)?.skills ?? [],
                          certifications: certifications, city: cityName, state: state, lat: city.lat + 0.01, lon: city.lon - 0.01,
                          shifts: shifts, days: days, payRate: (pay * 100).rounded() / 100, status: active ? "active" : "inactive",
                          phone: "+1-419-555-\(String(format: "%04d", 100 + serial % 9000))", email: "\(first.lowercased()).\(last.lowercased())\(serial)@example.com")
        }
        let qualified = request.count + 2
        for _ in 0..<qualified { workers.append(make(role: scenario.role, city: scenario.city, state: scenario.state)) }
        workers.append(make(role: scenario.role, city: scenario.city, state: scenario.state, active: false))
        workers.append(make(role: scenario.role == "janitor" ? "cashier" : "janitor", city: scenario.city, state: scenario.state))
        workers.append(make(role: scenario.role, city: scenario.otherCity, state: scenario.otherState))
        workers.append(make(role: scenario.role, city: scenario.farCity, state: scenario.state))
        workers.append(make(role: scenario.role, city: scenario.city, state: scenario.state, dropShift: true))
        if RoleVocabulary.certification(for: scenario.role) != nil {
            workers.append(make(role: scenario.role, city: scenario.city, state: scenario.state, dropCert: true))
        }
        // Names must be unique within a context, or "no other worker named" could not be judged.
        var names: Set<String> = []
        for position in workers.indices {
            while !names.insert(workers[position].name).inserted {
                workers[position].name = "\(firstNames[generator.below(firstNames.count)]) \(lastNames[generator.below(lastNames.count)])"
            }
        }
        for position in stride(from: workers.count - 1, to: 0, by: -1) { workers.swapAt(position, generator.below(position + 1)) }
        return workers
    }
}
