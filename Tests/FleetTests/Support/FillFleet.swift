import Foundation
import LakehouseKit
import Testing

/// The fleet the main job needs (journald, truthd, embedd, vectord, chatd, matrixd, validatord,
/// gateway) as real processes, seeded the way an operator seeds it: `lakehouse gen` before the
/// daemons start (validatord loads the roster file at start), `lakehouse seed` once they are ready.
struct FillFleet {
    static let daemons: [Daemon] = [.journald, .truthd, .embedd, .vectord, .chatd, .matrixd, .validatord, .gateway]

    let fleet: Fleet
    /// The generated roster by id.
    let roster: [String: Worker]

    static func start(workers: Int = 1_200, environment extra: [String: String] = [:]) async throws -> FillFleet {
        let fleet = try Fleet(extraEnvironment: ["MATRIXD_UPSERT_BATCH": "512", "LAKEHOUSE_LOG_LEVEL": "warn"].merging(extra) { $1 })
        let seedDirectory = fleet.dataDirectory + "/seed"
        let (genStatus, genOutput) = try fleet.runCLI(["gen", "--count", String(workers), "--out", seedDirectory])
        #expect(genStatus == 0, "\(genOutput)")
        try fleet.start(daemons)
        for daemon in daemons {
            let ready = await fleet.waitUntilReady(daemon, timeout: 60)
            #expect(ready, "\(daemon) not ready: \(fleet.process(daemon).log.suffix(2000))")
        }
        let (seedStatus, seedOutput) = try fleet.runCLI(["seed", "--data", fleet.dataDirectory])
        #expect(seedStatus == 0, "\(seedOutput)")
        #expect(seedOutput.contains("claims"), "\(seedOutput)")
        var roster: [String: Worker] = [:]
        let text = try String(contentsOfFile: seedDirectory + "/workers.jsonl", encoding: .utf8)
        for line in text.split(separator: "\n") {
            let worker = try JSONDecoder().decode(Worker.self, from: Data(line.utf8))
            roster[worker.id] = worker
        }
        #expect(roster.count == workers)
        return FillFleet(fleet: fleet, roster: roster)
    }

    /// `POST /v1/fill` through the gateway: the status, the decoded answer (200) and the raw body.
    func fill(_ body: String, timeoutMs: Int = 30_000) async throws -> (status: Int, answer: FillAnswer?, body: String) {
        let response = try await fleet.request(.gateway, .POST, "/v1/fill", body: body, timeoutMs: timeoutMs)
        let answer = response.status == .ok ? try JSONDecoder().decode(FillAnswer.self, from: Data(response.body)) : nil
        return (response.status.code, answer, response.text)
    }

    func fill(query: String, count: Int? = nil, maxAttempts: Int? = nil) async throws -> (status: Int, answer: FillAnswer?, body: String) {
        let command = FillCommand(query: query, count: count, maxAttempts: maxAttempts)
        return try await fill(String(decoding: try JSONCoding.encode(command), as: UTF8.self))
    }

    /// The run's journal events, once every attempt and the `fill.finished` event have arrived
    /// (the journal clients deliver asynchronously); whatever is there after `timeout` otherwise.
    func events(of answer: FillAnswer, timeout: TimeInterval = 20) async throws -> [FillInvariants.Event] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let response = try await fleet.request(.journald, .GET, "/v1/events?trace_id=\(answer.runID)&limit=1000")
            let list = (response.json?["events"] as? [[String: Any]]) ?? []
            let events = try list.map { event -> FillInvariants.Event in
                let payload = try JSONDecoder().decode(JSONValue.self, from: JSONSerialization.data(withJSONObject: event["payload"] ?? [:]))
                return FillInvariants.Event(type: event["type"] as? String ?? "", traceID: event["trace_id"] as? String ?? "", payload: payload)
            }
            let attempts = events.filter { $0.type == FillRunEventType.attempt }.count
            if (attempts >= answer.attempts.count && events.contains { $0.type == FillRunEventType.finished }) || Date() >= deadline {
                return events
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    /// What truthd confirms of the candidates' certifications (the role's one), by worker id.
    func confirmedCertifications(of answer: FillAnswer) async throws -> [String: Bool] {
        guard let role = answer.request.role, let certification = RoleVocabulary.certification(for: role) else { return [:] }
        let ids = answer.fill?.candidates.map(\.workerID) ?? []
        guard !ids.isEmpty else { return [:] }
        let body = String(decoding: try JSONCoding.encode(FactsBatchRequest(subjects: ids.map { "worker:\($0)" })), as: UTF8.self)
        let response = try await fleet.request(.truthd, .POST, "/v1/facts", body: body)
        let batch = try JSONDecoder().decode(FactsBatchResponse.self, from: Data(response.body))
        var confirmed: [String: Bool] = [:]
        for facts in batch.facts {
            confirmed[String(facts.subject.dropFirst("worker:".count))] = facts.attributes["certification.\(certification)"]?.value.boolValue ?? false
        }
        return confirmed
    }

    func chainVerifies() async throws -> Bool {
        try await fleet.request(.journald, .GET, "/v1/verify", timeoutMs: 60_000).json?["ok"] as? Bool == true
    }

    /// Roster workers who could fill `request` (the oracle, from the roster file alone): active, the
    /// role, the state, within 50 miles of a known city, on the shift and day, certified if needed.
    func qualified(for request: FillRequestSpec) -> [Worker] {
        let certification = request.role.flatMap { RoleVocabulary.certification(for: $0) }
        let place = request.city.flatMap { city in request.state.flatMap { Gazetteer.city(named: city, state: $0) } }
        return roster.values.filter { worker in
            worker.isActive && worker.role == request.role && (request.state == nil || worker.state == request.state)
                && (request.shift == nil || worker.shifts.contains(request.shift!)) && (request.day == nil || worker.days.contains(request.day!))
                && (certification == nil || worker.certifications.contains(certification!))
                && (place.map { Gazetteer.distanceMiles(lat1: $0.lat, lon1: $0.lon, lat2: worker.lat, lon2: worker.lon) <= 50 } ?? true)
        }
    }

    /// A sentence about an active, certified roster worker whose request the roster can satisfy.
    func satisfiableSentence(_ maker: inout SentenceMaker) -> String {
        let workers = roster.values.filter { worker in
            worker.isActive && RoleVocabulary.certification(for: worker.role).map { worker.certifications.contains($0) } ?? true
        }.sorted { $0.id < $1.id }
        while true {
            let worker = workers[maker.next(workers.count)]
            let (text, count) = maker.sentence(about: worker)
            let request = FillRequestSpec(query: text, count: count, role: worker.role, city: worker.city, state: worker.state,
                                          shift: maker.lastShift, day: maker.lastDay)
            if qualified(for: request).count >= count { return text }
        }
    }

    /// The 22 invariants of one answer, checked from outside.
    func invariants(of answer: FillAnswer, maxAttempts: Int = 3, chainVerified: Bool? = nil) async throws -> [FillInvariants.Result] {
        let events = try await events(of: answer)
        var verified = chainVerified
        if verified == nil { verified = try await chainVerifies() }
        let evidence = FillInvariants.Evidence(roster: roster, confirmedCertifications: try await confirmedCertifications(of: answer),
                                               events: events, chainVerified: verified ?? false, maxAttempts: maxAttempts)
        return FillInvariants.check(answer, evidence)
    }
}

/// Coordinator sentences built from the roster itself (a worker's role, city, shifts and days), in
/// several phrasings, so that most have enough qualified workers and some do not.
struct SentenceMaker {
    var state: UInt64
    /// The shift and day code of the last sentence made.
    var lastShift: String?
    var lastDay: String?

    init(seed: UInt64) { state = seed }

    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }

    static let dayNames = ["mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday"]

    mutating func sentence(about worker: Worker) -> (text: String, count: Int) {
        let count = 1 + next(3)
        let role = count == 1 ? worker.role : RoleNames.plural(worker.role)
        let shift = worker.shifts[next(worker.shifts.count)]
        let dayCode = worker.days[next(worker.days.count)]
        let day = Self.dayNames[dayCode] ?? "Monday"
        lastShift = shift
        lastDay = dayCode
        let text: String
        switch next(4) {
        case 0: text = "Need \(count) \(role) in \(worker.city), \(worker.state) for \(day) \(shift) shift"
        case 1: text = "\(worker.city), \(worker.state): looking for \(count) \(role), \(shift) shift on \(day)"
        case 2: text = "Can you find \(count) \(role) near \(worker.city) \(worker.state) for \(day), \(shift) shift?"
        default: text = "\(count) \(role) wanted in \(worker.city), \(worker.state) — \(day) \(shift) shift"
        }
        return (text, count)
    }
}
