import Foundation
import Glibc
import LakehouseKit
import Testing

/// validatord as a real process: validation over HTTP, bad input, roster reloads, SIGKILL.
@Suite(.serialized) struct ValidatorFleetTests {
    static func worker(_ n: Int, _ name: String, role: String = "warehouse associate", status: String = "active") -> Worker {
        Worker(id: String(format: "W-%06d", n), name: name, role: role, skills: ["inventory"], certifications: [], city: "Toledo", state: "OH",
               lat: 41.65, lon: -83.54, shifts: ["2nd"], days: ["mon", "tue"], payRate: 17.5, status: status,
               phone: String(format: "+1-419-555-%04d", n), email: name.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.com")
    }

    static let workers = [worker(1, "Maria Lopez"), worker(2, "James Carter"), worker(3, "Aisha Khan"), worker(4, "Wei Chen", status: "inactive")]

    static func write(_ workers: [Worker], to path: String, extra: String = "") throws {
        try Data((workers.map { JSONCoding.string($0) }.joined(separator: "\n") + "\n" + extra).utf8).write(to: URL(fileURLWithPath: path))
    }

    static let fill = #"{"role":"warehouse associate","city":"Toledo","state":"OH","candidates":[{"worker_id":"W-000001","name":"Maria Lopez","reason":"near"},{"worker_id":"W-000002","name":"James Carter","reason":"near"}]}"#
    static let context = #"{"query":"Need 2 warehouse associates in Toledo, OH, Monday 2nd shift","count":2,"role":"warehouse associate","city":"Toledo","state":"OH","shift":"2nd","day":"mon"}"#

    /// A fleet whose data directory holds `files` (name → workers); validatord serves `workers.jsonl`.
    func startValidatord(files: [String: [Worker]] = [:], environment: [String: String] = [:]) async throws -> Fleet {
        let fleet = try Fleet(extraEnvironment: environment)
        try Self.write(Self.workers, to: fleet.dataDirectory + "/workers.jsonl")
        for (name, workers) in files { try Self.write(workers, to: fleet.dataDirectory + "/" + name) }
        try fleet.start([.validatord], environment: ["VALIDATORD_ROSTER": fleet.dataDirectory + "/workers.jsonl"])
        #expect(await fleet.waitUntilReady(.validatord), "\(fleet.process(.validatord).log)")
        return fleet
    }

    func expectEnvelope(_ response: HTTPClientResponse, _ status: Int, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status.code == status, "\(response.text)", sourceLocation: sourceLocation)
        let error = response.json?["error"] as? [String: Any]
        #expect(error?["code"] is String && !((error?["request_id"] as? String) ?? "").isEmpty, "\(response.text)", sourceLocation: sourceLocation)
        let text = (error?["message"] as? String) ?? ""
        #expect(text.contains(message), "\(response.text)", sourceLocation: sourceLocation)
    }

    @Test func validatesFillsAndEmails() async throws {
        let fleet = try await startValidatord()
        defer { fleet.removeData() }

        let good = try await fleet.request(.validatord, .POST, "/v1/validate", body: #"{"kind":"fill","payload":\#(Self.fill),"context":\#(Self.context)}"#)
        #expect(good.status == .ok && good.json?["valid"] as? Bool == true && (good.json?["violations"] as? [Any])?.isEmpty == true, "\(good.text)")

        let phantom = Self.fill.replacingOccurrences(of: "W-000002", with: "W-000999")
        let bad = try await fleet.request(.validatord, .POST, "/v1/validate", body: #"{"kind":"fill","payload":\#(phantom),"context":\#(Self.context)}"#)
        let violation = (bad.json?["violations"] as? [[String: Any]])?.first
        #expect(bad.status == .ok && bad.json?["valid"] as? Bool == false)
        #expect(violation?["rule"] as? String == "phantom_worker" && violation?["path"] as? String == "$.candidates[1].worker_id")
        #expect(violation?["severity"] as? String == "error")

        let leaky = #"{"subject":"Your crew","body":"Maria Lopez and James Carter start Monday. Maria's cell is (419) 555-0001 and she makes $17.50/hr. SSN 419-55-0142."}"#
        let email = try await fleet.request(.validatord, .POST, "/v1/validate",
                                            body: #"{"kind":"email","payload":\#(leaky),"context":{"fill":\#(Self.fill)}}"#)
        let rules = Set((email.json?["violations"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String })
        #expect(email.status == .ok && email.json?["valid"] as? Bool == false)
        #expect(rules == ["contact_leak", "salary_disclosure", "ssn_pattern"], "\(email.text)")

        let roster = try await fleet.request(.validatord, .GET, "/v1/roster")
        #expect(roster.json?["workers"] as? Int == 4)
        let metrics = try await fleet.request(.validatord, .GET, "/metrics")
        #expect(metrics.text.contains("validatord_roster_workers 4"))
        #expect(metrics.text.contains(#"validatord_validations_total{kind="fill"} 2"#) && metrics.text.contains(#"validatord_validations_total{kind="email"} 1"#), "\(metrics.text)")
        #expect(metrics.text.contains(#"validatord_violations_total{rule="phantom_worker"} 1"#) && metrics.text.contains(#"validatord_violations_total{rule="ssn_pattern"} 1"#))
        _ = fleet.stop()
    }

    @Test func badInputGets4xxWithTheEnvelope() async throws {
        let fleet = try await startValidatord(environment: ["LAKEHOUSE_MAX_BODY": "65536", "LAKEHOUSE_PEER_CONNECT_TIMEOUT_MS": "200"])
        defer { fleet.removeData() }
        let cases: [(String, String, Int, String)] = [
            ("/v1/validate", #"{"kind":"fill","payload":"#, 400, "not valid JSON"),
            ("/v1/validate", "", 400, "empty"),
            ("/v1/validate", #"{"kind":"sms","payload":{}}"#, 400, "kind 'sms' is not one of fill, email"),
            ("/v1/validate", #"{"payload":\#(Self.fill)}"#, 400, "missing field 'kind'"),
            ("/v1/validate", #"{"kind":7,"payload":\#(Self.fill)}"#, 400, "field 'kind'"),
            ("/v1/validate", #"{"kind":"fill","payload":{"role":"x","city":"y","state":"OH","candidates":"W-000001"}}"#, 400, "field 'payload.candidates'"),
            ("/v1/validate", #"{"kind":"fill","payload":{"role":"x","city":"y","state":"OH","candidates":[{"worker_id":1,"name":"a","reason":"b"}]}}"#, 400, "payload.candidates[0].worker_id"),
            ("/v1/validate", #"{"kind":"fill","payload":{"role":"x","city":"y","candidates":[]}}"#, 400, "missing field 'payload.state'"),
            ("/v1/validate", #"{"kind":"email","payload":{"subject":"s","body":"b"}}"#, 400, "context.fill"),
            ("/v1/validate", #"{"kind":"email","payload":{"subject":"s"},"context":{"fill":\#(Self.fill)}}"#, 400, "payload.body"),
            ("/v1/validate", #"{"kind":"fill","payload":\#(Self.fill),"context":{"count":"two"}}"#, 400, "context.count"),
            ("/v1/iterate", "[]", 400, "expected an object"),
            ("/v1/iterate", #"{"kind":"fill","candidates":[]}"#, 400, "missing field 'request'"),
            ("/v1/iterate", #"{"kind":"email","request":{"query":"q","count":1},"candidates":[]}"#, 400, "kind 'email' is not supported"),
            ("/v1/iterate", #"{"kind":"fill","request":{"query":"q","count":0},"candidates":[]}"#, 400, "request.count"),
            ("/v1/iterate", #"{"kind":"fill","request":{"query":"q","count":1},"candidates":[],"max_attempts":99}"#, 400, "max_attempts"),
            ("/v1/roster/reload", #"{"path":5}"#, 400, "field 'path'"),
            ("/v1/roster/reload", #"{"path":""}"#, 400, "path"),
        ]
        for (target, body, status, message) in cases {
            expectEnvelope(try await fleet.request(.validatord, .POST, target, body: body), status, message)
        }
        let oversize = #"{"kind":"email","payload":{"subject":"s","body":""# + String(repeating: "x", count: 70_000) + #""},"context":{"fill":\#(Self.fill)}}"#
        expectEnvelope(try await fleet.request(.validatord, .POST, "/v1/validate", body: oversize), 413, "exceeds the limit")
        expectEnvelope(try await fleet.request(.validatord, .GET, "/v1/validate"), 405, "not allowed")
        expectEnvelope(try await fleet.request(.validatord, .POST, "/v1/nothing", body: "{}"), 404, "no route")

        // chatd is not running: iterate is a 503 that names it.
        let iterate = #"{"kind":"fill","request":{"query":"Need 2 warehouse associates","count":2,"role":"warehouse associate","state":"OH"},"candidates":[\#(JSONCoding.string(Self.workers[0]))]}"#
        expectEnvelope(try await fleet.request(.validatord, .POST, "/v1/iterate", body: iterate), 503, "chatd")
        // Still serving after all of it.
        #expect(try await fleet.request(.validatord, .POST, "/v1/validate", body: #"{"kind":"fill","payload":\#(Self.fill)}"#).status == .ok)
        #expect(fleet.process(.validatord).isRunning)
        _ = fleet.stop()
    }

    @Test func aBadReloadKeepsTheOldRosterAndAGoodOneSwaps() async throws {
        let fleet = try await startValidatord(files: ["bigger.jsonl": Self.workers + [Self.worker(5, "Priya Patel")]])
        defer { fleet.removeData() }
        let dir = fleet.dataDirectory
        try Self.write(Array(Self.workers.prefix(2)), to: dir + "/broken.jsonl", extra: #"{"id":"W-000003","name":"Aisha Khan"}"# + "\n")

        expectEnvelope(try await fleet.request(.validatord, .POST, "/v1/roster/reload", body: #"{"path":"\#(dir)/missing.jsonl"}"#), 404, "does not exist")
        expectEnvelope(try await fleet.request(.validatord, .POST, "/v1/roster/reload", body: #"{"path":"\#(dir)/broken.jsonl"}"#), 422, "line 3: missing field")
        expectEnvelope(try await fleet.request(.validatord, .POST, "/v1/roster/reload", body: #"{"path":"\#(dir)"}"#), 422, "not a regular file")
        #expect(try await fleet.request(.validatord, .GET, "/v1/roster").json?["workers"] as? Int == 4)
        let kept = try await fleet.request(.validatord, .POST, "/v1/validate", body: #"{"kind":"fill","payload":\#(Self.fill)}"#)
        #expect(kept.json?["valid"] as? Bool == true, "\(kept.text)")

        let swapped = try await fleet.request(.validatord, .POST, "/v1/roster/reload", body: #"{"path":"\#(dir)/bigger.jsonl"}"#)
        #expect(swapped.status == .ok && swapped.json?["workers"] as? Int == 5 && swapped.json?["previous_workers"] as? Int == 4, "\(swapped.text)")
        let priya = #"{"role":"warehouse associate","city":"Toledo","state":"OH","candidates":[{"worker_id":"W-000005","name":"Priya Patel","reason":"r"}]}"#
        #expect(try await fleet.request(.validatord, .POST, "/v1/validate", body: #"{"kind":"fill","payload":\#(priya)}"#).json?["valid"] as? Bool == true)

        // The configured file changed in place: a reload without a path reads it again.
        try Self.write(Array(Self.workers.prefix(3)), to: dir + "/workers.jsonl")
        let again = try await fleet.request(.validatord, .POST, "/v1/roster/reload")
        #expect(again.status == .ok && again.json?["workers"] as? Int == 3 && again.json?["path"] as? String == dir + "/workers.jsonl", "\(again.text)")
        _ = fleet.stop()
    }

    @Test func sigkillAndRestartReloadTheAcknowledgedRoster() async throws {
        let fleet = try await startValidatord(files: ["bigger.jsonl": Self.workers + [Self.worker(5, "Priya Patel")]])
        defer { fleet.removeData() }
        let dir = fleet.dataDirectory
        #expect(try await fleet.request(.validatord, .GET, "/v1/roster").json?["workers"] as? Int == 4)
        #expect(try await fleet.request(.validatord, .POST, "/v1/roster/reload", body: #"{"path":"\#(dir)/bigger.jsonl"}"#).status == .ok)

        fleet.process(.validatord).killHard()
        try fleet.restart(.validatord)
        #expect(await fleet.waitUntilReady(.validatord), "\(fleet.process(.validatord).log)")
        let roster = try await fleet.request(.validatord, .GET, "/v1/roster")
        #expect(roster.json?["workers"] as? Int == 5 && roster.json?["path"] as? String == dir + "/bigger.jsonl", "\(roster.text)")
        let priya = #"{"role":"warehouse associate","city":"Toledo","state":"OH","candidates":[{"worker_id":"W-000005","name":"Priya Patel","reason":"r"}]}"#
        #expect(try await fleet.request(.validatord, .POST, "/v1/validate", body: #"{"kind":"fill","payload":\#(priya)}"#).json?["valid"] as? Bool == true)
        _ = fleet.stop()
    }

    @Test func startupWithoutARoster() async throws {
        // The default file missing: an empty roster, ready, with a warning.
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.validatord])
        #expect(await fleet.waitUntilReady(.validatord))
        #expect(try await fleet.request(.validatord, .GET, "/v1/roster").json?["workers"] as? Int == 0)
        #expect(fleet.process(.validatord).log.contains("no roster file yet"))
        _ = fleet.stop()

        // An explicit file missing: exit 2 with one line.
        let explicit = try Fleet()
        defer { explicit.removeData() }
        try explicit.start([.validatord], environment: ["VALIDATORD_ROSTER": explicit.dataDirectory + "/nope.jsonl"])
        explicit.process(.validatord).process?.waitUntilExit()
        #expect(explicit.process(.validatord).process?.terminationStatus == 2)
        let lines = explicit.process(.validatord).log.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("VALIDATORD_ROSTER=") && lines[0].contains("no such file"), "\(lines)")
    }

    // MARK: - iterate and certifications through the real chatd and truthd

    static func draft(_ candidates: [Worker], body: String) -> String {
        let fill = FillProposal(role: "warehouse associate", city: "Toledo", state: "OH",
                                candidates: candidates.map { FillCandidate(workerID: $0.id, name: $0.name, reason: "nearby, works 2nd shift") })
        return JSONCoding.string(FillDraft(fill: fill, email: ClientEmail(subject: "Your warehouse associates", body: body)))
    }

    static func iterateBody(provider: String? = nil, maxAttempts: Int? = nil) -> String {
        JSONCoding.string(IterateRequest(
            request: FillRequestSpec(query: "Need 2 warehouse associates in Toledo, OH for Monday 2nd shift", count: 2, role: "warehouse associate",
                                     city: "Toledo", state: "OH", shift: "2nd", day: "mon"),
            candidates: workers, provider: provider, maxAttempts: maxAttempts, runID: "run-fleet-1"))
    }

    /// chatd, truthd and validatord as real processes; chatd's one provider (OpenRouter's wire
    /// protocol) is `provider`, the edge a test cannot reach for real, which the test scripts.
    func startIterateFleet(provider: FakeChatProvider, files: [String: [Worker]] = [:]) async throws -> Fleet {
        let chat = ChatFleetTests.environment(["openrouter": provider], fallback: "openrouter",
                                              extra: ["CHATD_RETRIES": "0", "CHATD_COOLDOWN_FAILURES": "1000"])
        let fleet = try Fleet(extraEnvironment: chat.merging(["TRUTHD_JOURNAL": "off"]) { $1 })
        try fleet.start([.chatd, .truthd])
        #expect(await fleet.waitUntilReady(.chatd), "\(fleet.process(.chatd).log)")
        #expect(await fleet.waitUntilReady(.truthd), "\(fleet.process(.truthd).log)")
        try Self.write(Self.workers, to: fleet.dataDirectory + "/workers.jsonl")
        for (name, workers) in files { try Self.write(workers, to: fleet.dataDirectory + "/" + name) }
        try fleet.start([.validatord], environment: ["VALIDATORD_ROSTER": fleet.dataDirectory + "/workers.jsonl"])
        #expect(await fleet.waitUntilReady(.validatord), "\(fleet.process(.validatord).log)")
        return fleet
    }

    @Test func iterateCorrectsAFlawedDraftThroughChatd() async throws {
        let flawed = Self.draft([Self.workers[0], Self.workers[3]], body: "Maria Lopez and Wei Chen start Monday at $17.50/hr.")
        let fixed = Self.draft([Self.workers[0], Self.workers[1]], body: "Maria Lopez and James Carter start Monday on the 2nd shift.")
        let provider = try FakeChatProvider(name: "openrouter", expectedKey: ChatFleetTests.key("openrouter"))
        provider.script([.content("not json at all"), .content(flawed), .content(fixed)])
        let fleet = try await startIterateFleet(provider: provider)
        defer { fleet.removeData() }

        let response = try await fleet.request(.validatord, .POST, "/v1/iterate", body: Self.iterateBody())
        #expect(response.status == .ok, "\(response.text)")
        let answer = try JSONCoding.decode(IterateResponse.self, from: response.body)
        #expect(answer.valid && answer.runID == "run-fleet-1" && answer.attempts.count == 3)
        #expect(answer.attempts.map { $0.violations.map(\.rule) }[0] == ["unparseable_draft"])
        #expect(Set(answer.attempts[1].violations.map(\.rule)) == ["inactive_worker", "salary_disclosure"], "\(answer.attempts[1].violations)")
        #expect(answer.attempts[1].violations.contains { $0.path == "$.fill.candidates[1].worker_id" })
        #expect(answer.attempts[2].violations.isEmpty && answer.final?.fill.candidates.map(\.workerID) == ["W-000001", "W-000002"])
        #expect(answer.attempts.allSatisfy { $0.provider == "openrouter" }, "\(answer.attempts.map(\.provider))")
        // What reached the provider, through chatd: three JSON-mode requests on OpenAI's wire, the
        // last carrying the correction with exactly the violations of the attempt before it.
        let asked = provider.requests
        #expect(asked.count == 3 && asked.allSatisfy { $0.path == "/api/v1/chat/completions" })
        #expect(asked.allSatisfy { ($0.body["response_format"] as? [String: Any])?["type"] as? String == "json_object" })
        #expect(asked.allSatisfy { $0.body["model"] as? String == "model-of-openrouter" })
        let lastMessage = ((asked.last?.body["messages"] as? [[String: Any]])?.last?["content"] as? String) ?? ""
        let correction = try JSONCoding.decode(FillDraftContext.self, from: Array(lastMessage.utf8))
        #expect(correction.task == .correction && correction.violations == answer.attempts[1].violations)
        // Every attempt and the end of the run reach journald under the run id (spooled first, then
        // delivered: journald starts only now, after the answer).
        try fleet.start([.journald])
        #expect(await fleet.waitUntilReady(.journald))
        var types: [String] = []
        for _ in 0..<200 {
            let events = try await fleet.request(.journald, .GET, "/v1/events?trace_id=run-fleet-1").json?["events"] as? [[String: Any]] ?? []
            types = events.compactMap { $0["type"] as? String }
            if types.count >= 4 { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(types == [FillRunEventType.attempt, FillRunEventType.attempt, FillRunEventType.attempt, FillRunEventType.iterateFinished], "\(types)")
        let metrics = try await fleet.request(.validatord, .GET, "/metrics").text
        #expect(metrics.contains(#"validatord_iterate_runs_total{valid="true"} 1"#) && metrics.contains("validatord_iterate_attempts_total 3"), "\(metrics)")
        _ = fleet.stop()
        await provider.stop()
    }

    @Test func iterateMapsChatdFailuresAndGivesUpAtMaxAttempts() async throws {
        let flawed = Self.draft([Self.workers[0], Self.workers[3]], body: "Maria Lopez and Wei Chen start Monday.")
        let provider = try FakeChatProvider(name: "openrouter", expectedKey: ChatFleetTests.key("openrouter"))
        provider.script([.status(400), .status(500), .content(flawed), .content(flawed)])
        let fleet = try await startIterateFleet(provider: provider)
        defer { fleet.removeData() }
        // chatd's own refusal (404, a provider it does not know) is the caller's mistake: 400.
        expectEnvelope(try await fleet.request(.validatord, .POST, "/v1/iterate", body: Self.iterateBody(provider: "nope")), 400,
                       "chatd rejected the draft request: unknown provider 'nope'")
        #expect(provider.callCount == 0)
        // The provider refuses the request (a 4xx): chatd answers 502, passed on as a bad gateway.
        let refused = try await fleet.request(.validatord, .POST, "/v1/iterate", body: Self.iterateBody())
        expectEnvelope(refused, 502, "chatd answered 502: openrouter refused the request (HTTP 400)")
        expectEnvelope(refused, 502, "openrouter refused the request (HTTP 400): fake openrouter failing with 400")
        // The provider fails (a 5xx, no retries configured): chatd has no provider left, 503.
        expectEnvelope(try await fleet.request(.validatord, .POST, "/v1/iterate", body: Self.iterateBody()), 503,
                       "chatd is unavailable: no provider could answer")
        let response = try await fleet.request(.validatord, .POST, "/v1/iterate", body: Self.iterateBody(maxAttempts: 2))
        let answer = try JSONCoding.decode(IterateResponse.self, from: response.body)
        #expect(response.status == .ok && !answer.valid && answer.attempts.count == 2, "\(response.text)")
        #expect(answer.attempts[1].violations.map(\.rule) == ["inactive_worker"])
        #expect(provider.callCount == 4)
        _ = fleet.stop()
        await provider.stop()
    }

    @Test func certificationsAreConfirmedByTruthdOrWarnedWithoutIt() async throws {
        let forklift = [Self.worker(1, "Maria Lopez", role: "forklift operator"), Self.worker(2, "James Carter", role: "forklift operator")]
            .map { var w = $0; w.certifications = ["forklift"]; return w }
        let provider = try FakeChatProvider(name: "openrouter", expectedKey: ChatFleetTests.key("openrouter"))
        let fleet = try await startIterateFleet(provider: provider, files: ["forklift.jsonl": forklift])
        defer { fleet.removeData() }
        // truthd loaded from a claims file: W-000001's forklift certificate is on HR's record; W-000002
        // claims one, but HR (the more trusted source) says no; W-000002's OSHA-10 is confirmed.
        func claim(_ worker: Int, _ attribute: String, _ value: Bool, _ source: String, _ at: String) -> String {
            #"{"subject":"worker:W-\#(String(format: "%06d", worker))","attribute":"\#(attribute)","value":\#(value),"source":"\#(source)","observed_at":"\#(at)"}"#
        }
        let claims = [claim(1, "certification.forklift", true, "hr_system", "2026-01-01T00:00:00Z"),
                      claim(2, "certification.forklift", true, "self_reported", "2026-06-01T00:00:00Z"),
                      claim(2, "certification.forklift", false, "hr_system", "2026-01-01T00:00:00Z"),
                      claim(2, "certification.osha-10", true, "hr_system", "2026-01-01T00:00:00Z")]
        let claimsFile = fleet.dataDirectory + "/claims.jsonl"
        try Data((claims.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: claimsFile))
        let imported = try await fleet.request(.truthd, .POST, "/v1/claims/import", body: try String(contentsOfFile: claimsFile, encoding: .utf8),
                                               headers: ["Content-Type": "application/x-ndjson"])
        #expect(imported.json?["accepted"] as? Int == 4, "\(imported.text)")

        #expect(try await fleet.request(.validatord, .POST, "/v1/roster/reload", body: #"{"path":"\#(fleet.dataDirectory)/forklift.jsonl"}"#).status == .ok)
        let fill = Self.fill.replacingOccurrences(of: "warehouse associate", with: "forklift operator")
        let confirmed = try await fleet.request(.validatord, .POST, "/v1/validate", body: #"{"kind":"fill","payload":\#(fill)}"#)
        let violations = confirmed.json?["violations"] as? [[String: Any]] ?? []
        #expect(confirmed.json?["valid"] as? Bool == false && violations.count == 1, "\(confirmed.text)")
        #expect(violations.first?["rule"] as? String == "certification_unverified" && violations.first?["severity"] as? String == "error")
        #expect(violations.first?["path"] as? String == "$.candidates[1].worker_id")

        // truthd gone (SIGKILL): the check degrades to a warning per candidate instead of failing the fill.
        fleet.process(.truthd).killHard()
        let down = try await fleet.request(.validatord, .POST, "/v1/validate", body: #"{"kind":"fill","payload":\#(fill)}"#)
        let warnings = down.json?["violations"] as? [[String: Any]] ?? []
        #expect(down.json?["valid"] as? Bool == true && warnings.count == 2, "\(down.text)")
        #expect(warnings.allSatisfy { $0["severity"] as? String == "warning" && ($0["message"] as? String ?? "").contains("truthd is unreachable") })
        #expect(provider.callCount == 0)
        _ = fleet.stop()
        await provider.stop()
    }
}
