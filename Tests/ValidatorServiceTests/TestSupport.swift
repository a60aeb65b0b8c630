import Foundation
import LakehouseKit
import Synchronization
@testable import ValidatorService

/// A small roster around Toledo, OH, each worker there to trip (or not) one rule.
enum Fixture {
    static func worker(_ n: Int, _ name: String, role: String = "forklift operator", certifications: [String] = ["forklift"],
                       city: String = "Toledo", state: String = "OH", lat: Double = 41.6528, lon: Double = -83.5379,
                       shifts: [String] = ["1st", "2nd"], days: [String] = ["mon", "tue", "wed", "thu", "fri"], status: String = "active",
                       phone: String? = nil, email: String? = nil) -> Worker {
        let id = String(format: "W-%06d", n)
        return Worker(id: id, name: name, role: role, skills: ["reach truck", "inventory"], certifications: certifications, city: city, state: state,
                      lat: lat, lon: lon, shifts: shifts, days: days, payRate: 18.5 + Double(n) / 4, status: status,
                      phone: phone ?? String(format: "+1-419-555-%04d", 100 + n),
                      email: email ?? name.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.com")
    }

    static let workers: [Worker] = [
        worker(1, "Maria Lopez", certifications: ["forklift", "osha-10"], lat: 41.65, lon: -83.54, phone: "+1-419-555-0142", email: "maria.lopez@example.com"),
        worker(2, "James Carter", lat: 41.70, lon: -83.60, shifts: ["2nd", "3rd"], days: ["mon", "tue", "wed", "thu", "fri", "sat"], phone: "(419) 555-0177"),
        worker(3, "Aisha Khan", lat: 41.55, lon: -83.63, shifts: ["2nd"], phone: "419.555.0199"),
        worker(4, "Wei Chen", shifts: ["2nd"], status: "inactive"),
        worker(5, "Carlos Diaz", role: "welder", certifications: ["aws-d1.1"], shifts: ["2nd"]),
        worker(6, "Emily Stone", city: "Detroit", state: "MI", lat: 42.3314, lon: -83.0458, shifts: ["2nd"]),
        worker(7, "Dmitri Volkov", city: "Cincinnati", lat: 39.1031, lon: -84.5120, shifts: ["2nd"]),
        worker(8, "Fatima Noor", shifts: ["1st"]),
        worker(9, "Liam Walsh", certifications: [], shifts: ["2nd"]),
        worker(10, "Priya Patel", role: "warehouse associate", certifications: [], shifts: ["2nd"]),
        worker(11, "Noah Brooks", shifts: ["2nd"], days: ["tue", "wed", "thu", "fri", "sat"]),
        worker(12, "Sofia Rossi", city: "Bowling Green", lat: 41.3748, lon: -83.6513, shifts: ["2nd"]),
    ]

    static func jsonl(_ workers: [Worker]) -> [UInt8] {
        Array(workers.map { JSONCoding.string($0) + "\n" }.joined().utf8)
    }

    static func roster(_ workers: [Worker] = workers) throws -> CompactRoster {
        try jsonl(workers).withUnsafeBytes { try RosterFile.parse($0, path: "fixture") }
    }

    static func holder(_ workers: [Worker] = workers) throws -> RosterHolder {
        let holder = RosterHolder()
        holder.install(try roster(workers), path: "fixture", loadSeconds: 0)
        return holder
    }

    static let request = FillRequestSpec(query: "Need 3 forklift operators in Toledo, OH for Monday 2nd shift", count: 3,
                                         role: "forklift operator", city: "Toledo", state: "OH", shift: "2nd", day: "mon")

    static func candidate(_ n: Int) -> FillCandidate {
        let w = workers[n - 1]
        return FillCandidate(workerID: w.id, name: w.name, reason: "active forklift operator near Toledo on 2nd shift")
    }

    /// Valid for `request`: workers 1–3.
    static let fill = FillProposal(role: "forklift operator", city: "Toledo", state: "OH", candidates: [candidate(1), candidate(2), candidate(3)])

    static let email = ClientEmail(
        subject: "3 forklift operators for Monday 2nd shift",
        body: "Hello,\n\nWe can place Maria Lopez, James Carter and Aisha Khan (W-000001, W-000002, W-000003) with you for Monday's 2nd shift in Toledo, OH. All three are certified forklift operators and work hourly shifts.\n\nBest regards,\nThe staffing team")

    static let draft = FillDraft(fill: fill, email: email)

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "validator-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// truthd stand-in: confirms a fixed set, or is unreachable.
struct FakeCertifications: CertificationSource {
    let answer: CertificationAnswer
    let calls = Calls()

    final class Calls: Sendable {
        let value = Mutex<[[String]]>([])
    }

    static let confirmsAll = FakeCertifications(answer: .confirmed(Set(Fixture.workers.map(\.id))))

    func confirmed(certification: String, workerIDs: [String], requestID: String?) async -> CertificationAnswer {
        calls.value.withLock { $0.append(workerIDs) }
        if case .confirmed(let ids) = answer { return .confirmed(ids.intersection(workerIDs)) }
        return answer
    }
}

/// chatd stand-in: answers from a script, one entry per call, and remembers what it was asked.
final class ScriptedDrafts: DraftSource {
    let answers: [String]
    let requests = Mutex<[ChatRequest]>([])

    init(_ answers: [String]) {
        self.answers = answers
    }

    func draft(_ request: ChatRequest, requestID: String?) async throws(ValidatorError) -> ChatResponse {
        let n = requests.withLock { $0.append(request); return $0.count }
        guard n <= answers.count else { throw ValidatorError(.unavailable, "chatd is unavailable: script exhausted") }
        return ChatResponse(provider: "scripted", model: "script-1", message: ChatMessage(role: "assistant", content: answers[n - 1]),
                            usage: ChatUsage(promptTokens: 1, completionTokens: 1), latencyMs: 0.1)
    }

    /// The task context of call `n` (0-based), as chatd would read it.
    func context(_ n: Int) throws -> FillDraftContext {
        let content = requests.withLock { $0[n].messages.last!.content }
        return try JSONCoding.decode(FillDraftContext.self, from: Array(content.utf8))
    }
}

final class RecordingJournal: AttemptJournal {
    struct Event: Sendable {
        let type: String
        let traceID: String
        let payload: JSONValue
    }

    let events = Mutex<[Event]>([])

    func record(type: String, traceID: String, subject: String?, payload: JSONValue) {
        events.withLock { $0.append(Event(type: type, traceID: traceID, payload: payload)) }
    }
}

func rules(_ violations: [Violation]) -> [String] { violations.map(\.rule) }
