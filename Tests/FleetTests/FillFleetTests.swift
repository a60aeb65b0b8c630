import Foundation
import Glibc
import LakehouseKit
import Testing

/// The main job, `POST /v1/fill`, end to end on real processes: the 22 invariants over live fills,
/// the iterate loop with the local drafter's flaws, bad input, and a down dependency.
@Suite(.serialized) struct FillFleetTests {
    static func failed(_ results: [FillInvariants.Result]) -> [String] {
        results.filter { !$0.passed }.map { "\($0.id) \($0.name): \($0.detail)" }
    }

    @Test func theMainJobFillsTheToledoRequestAndEveryInvariantHolds() async throws {
        let fill = try await FillFleet.start(environment: ["CHATD_LOCAL_FLAW_RATE": "0"])
        defer { fill.fleet.removeData() }
        let (status, answer, body) = try await fill.fill(query: "Need 3 forklift operators in Toledo, OH for Monday 2nd shift")
        #expect(status == 200, "\(body)")
        let result = try #require(answer)
        #expect(result.request == FillRequestSpec(query: "Need 3 forklift operators in Toledo, OH for Monday 2nd shift", count: 3,
                                                  role: "forklift operator", city: "Toledo", state: "OH", shift: "2nd", day: "mon"))
        #expect(result.valid, "\(result.violations)")
        #expect(result.fill?.candidates.count == 3)
        #expect(result.attempts.count == 1)
        // truthd confirms every forklift certification: no warnings remain.
        #expect(result.violations.isEmpty, "\(result.violations)")
        for key in ["understand", "retrieve", "iterate", "total"] { #expect(result.timingsMs[key] != nil) }
        let results = try await fill.invariants(of: result)
        #expect(results.count == 22)
        #expect(Self.failed(results).isEmpty, "\(Self.failed(results))")

        // The valid fill became a playbook (recorded off the answer's path): a later fill of the same
        // role retrieves it, and its workers reach the drafter as hints.
        var hinted: [String] = []
        for _ in 0..<50 where hinted.isEmpty {
            let (_, again, _) = try await fill.fill(query: "Need 3 forklift operators in Toledo, OH for Monday 2nd shift")
            if let again {
                let retrieved = try await fill.events(of: again).first { $0.type == FillRunEventType.retrieved }
                hinted = (retrieved?.payload["playbook_worker_ids"]?.arrayValue ?? []).compactMap(\.stringValue)
            }
            if hinted.isEmpty { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(Set(hinted).isSuperset(of: result.fill?.candidates.map(\.workerID) ?? ["?"]), "\(hinted)")

        // The CLI prints the same job for a person, and exits 0 for a valid fill.
        let (cliStatus, output) = try fill.fleet.runCLI(["fill", "Need 2 forklift operators in Toledo, OH for Monday 2nd shift"])
        #expect(cliStatus == 0, "\(output)")
        #expect(output.contains("candidates:") && output.contains("Subject:") && output.contains("attempts:"), "\(output)")
        let (badFlag, _) = try fill.fleet.runCLI(["fill", "x", "--bogus"])
        #expect(badFlag == 2)
        _ = fill.fleet.stop()
    }

    @Test func twoHundredGeneratedFillsSatisfyTheInvariants() async throws {
        let fill = try await FillFleet.start()
        defer { fill.fleet.removeData() }
        var maker = SentenceMaker(seed: 7)
        let active = fill.roster.values.filter(\.isActive).sorted { $0.id < $1.id }
        var answers: [FillAnswer] = []
        var roles = Set<String>()
        var states = Set<String>()
        for _ in 0..<200 {
            let worker = active[maker.next(active.count)]
            let (text, _) = maker.sentence(about: worker)
            let (status, answer, body) = try await fill.fill(query: text)
            #expect(status == 200, "\(text): \(body)")
            guard let answer else { continue }
            #expect(answer.request.role == worker.role && answer.request.state == worker.state, "\(text) → \(answer.request)")
            answers.append(answer)
            roles.insert(worker.role)
            states.insert(worker.state)
        }
        #expect(answers.count == 200)
        #expect(roles.count >= 10 && states.count >= 8)
        // Whenever the roster holds enough qualified workers, the fill finds them and is valid.
        let satisfiable = answers.filter { fill.qualified(for: $0.request).count >= $0.request.count }
        let missed = satisfiable.filter { !$0.valid }
        #expect(satisfiable.count >= 60, "only \(satisfiable.count) of 200 sentences were satisfiable")
        #expect(missed.count * 20 <= satisfiable.count, "\(missed.count) of \(satisfiable.count) satisfiable fills were not valid: \(missed.prefix(3).map { ($0.request.query, $0.violations.map(\.rule)) })")
        #expect(answers.contains { !$0.valid }, "some sentences cannot be satisfied, and say so with valid: false")
        let chain = try await fill.chainVerifies()
        #expect(chain)
        var broken: [String] = []
        for answer in answers {
            let failures = Self.failed(try await fill.invariants(of: answer, chainVerified: chain))
            if !failures.isEmpty { broken.append("\(answer.request.query): \(failures)") }
        }
        #expect(broken.isEmpty, "\(broken.prefix(5))")
        _ = fill.fleet.stop()
    }

    @Test func everyFlawedFirstDraftIsCorrectedOnTheSecondAttempt() async throws {
        let fill = try await FillFleet.start(environment: ["CHATD_LOCAL_FLAW_RATE": "1"])
        defer { fill.fleet.removeData() }
        var maker = SentenceMaker(seed: 11)
        var rules = Set<String>()
        for _ in 0..<30 {
            let text = fill.satisfiableSentence(&maker)
            let (status, answer, body) = try await fill.fill(query: text)
            #expect(status == 200, "\(body)")
            guard let answer, answer.attempts.count >= 1 else { continue }
            let firstErrors = answer.attempts[0].violations.filter { $0.severity == .error }
            #expect(answer.valid, "\(text): \(answer.violations)")
            #expect(answer.attempts.count == 2, "\(text): \(answer.attempts.map(\.violations))")
            #expect(Set(firstErrors.map(\.rule)).count == 1, "\(text): first draft broke \(firstErrors.map(\.rule))")
            #expect(answer.attempts.last?.valid == true)
            #expect(answer.corrected == Array(Set(firstErrors.map(\.rule))), "\(answer.corrected)")
            rules.formUnion(firstErrors.map(\.rule))
        }
        #expect(rules.count >= 3, "flaw kinds seen: \(rules.sorted())")

        // One attempt allowed: the flawed draft is the answer, still a 200, with its violations.
        let (status, answer, body) = try await fill.fill(query: "Need 2 forklift operators in Toledo, OH for Monday 2nd shift", maxAttempts: 1)
        #expect(status == 200, "\(body)")
        #expect(answer?.valid == false && answer?.attempts.count == 1)
        #expect(answer?.violations.contains { $0.severity == .error } == true)
        _ = fill.fleet.stop()
    }

    @Test func flawlessDraftsPassOnTheFirstAttempt() async throws {
        let fill = try await FillFleet.start(environment: ["CHATD_LOCAL_FLAW_RATE": "0"])
        defer { fill.fleet.removeData() }
        var maker = SentenceMaker(seed: 5)
        for _ in 0..<30 {
            let text = fill.satisfiableSentence(&maker)
            let (status, answer, body) = try await fill.fill(query: text)
            #expect(status == 200, "\(body)")
            #expect(answer?.valid == true, "\(text): \(answer?.violations ?? [])")
            #expect(answer?.attempts.count == 1, "\(text)")
            #expect(answer?.corrected.isEmpty == true)
        }
        _ = fill.fleet.stop()
    }

    @Test func badInputIsRefusedWithTheEnvelope() async throws {
        let fill = try await FillFleet.start(workers: 300)
        defer { fill.fleet.removeData() }
        let cases: [(body: String, status: Int, mentions: String)] = [
            (#"{"query":""}"#, 400, "query"),
            (#"{"query":"   "}"#, 400, "query"),
            (#"{"query":"Need 3 forklift operators in Toledo, OH","count":0}"#, 400, "count"),
            (#"{"query":"Need 3 forklift operators in Toledo, OH","count":10000}"#, 400, "count"),
            (#"{"query":"Need 10000 forklift operators in Toledo, OH"}"#, 400, "10000"),
            (#"{"query":"Need 3 forklift operators in Toledo, OH","provider":"skynet"}"#, 400, "skynet"),
            (#"{"query":"Need 3 forklift operators in Toledo, OH","max_attempts":0}"#, 400, "max_attempts"),
            (#"{"query":"Need 3 forklift operators in Toledo, OH","colour":"red"}"#, 400, "colour"),
            (#"{"query":3}"#, 400, "query"),
            (#"{"count":3}"#, 400, "query"),
            (#"[1,2]"#, 400, "object"),
            (#"{"query":"Need 3 forklift"#, 400, "JSON"),
            (#"{"query":"Need 3 people who like cheese"}"#, 422, "role"),
            ("{\"query\":\"" + String(repeating: "forklift ", count: 400) + "\"}", 400, "longer"),
        ]
        for item in cases {
            let (status, _, body) = try await fill.fill(item.body)
            // An unknown provider is chatd's to name: 400 or 404 with the known ones.
            let expected = item.mentions == "skynet" ? [400, 404] : [item.status]
            #expect(expected.contains(status), "\(item.body.prefix(80)) → \(status) \(body)")
            let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: Data(body.utf8))
            #expect(envelope != nil, "no error envelope: \(body)")
            #expect(envelope?.error.message.contains(item.mentions) == true, "\(item.body.prefix(80)) → \(body)")
        }
        // A body over LAKEHOUSE_MAX_BODY is 413 before anything runs.
        let huge = "{\"query\":\"" + String(repeating: "a", count: 33 * 1024 * 1024) + "\"}"
        #expect(try await fill.fleet.request(.gateway, .POST, "/v1/fill", body: huge, timeoutMs: 60_000).status.code == 413)
        _ = fill.fleet.stop()
    }

    @Test func aDownDependencyIsA503NamingItAndTheFillRecovers() async throws {
        let fill = try await FillFleet.start(workers: 600, environment: ["CHATD_LOCAL_FLAW_RATE": "0"])
        defer { fill.fleet.removeData() }
        var maker = SentenceMaker(seed: 3)
        let query = fill.satisfiableSentence(&maker)
        for daemon in [Daemon.matrixd, .validatord, .chatd] {
            fill.fleet.process(daemon).killHard()
            let (status, _, body) = try await fill.fill(query: query)
            #expect(status == 503, "\(daemon) down → \(status) \(body)")
            #expect(body.contains(daemon.rawValue), "\(daemon) down → \(body)")
            try fill.fleet.restart(daemon)
            #expect(await fill.fleet.waitUntilReady(daemon, timeout: 60))
            let (again, answer, againBody) = try await fill.fill(query: query)
            #expect(again == 200, "\(daemon) back → \(againBody)")
            #expect(answer?.valid == true)
        }
        // journald down: the fill does not wait for it; its events are spooled and arrive later.
        fill.fleet.process(.journald).killHard()
        let (status, answer, body) = try await fill.fill(query: query)
        #expect(status == 200, "\(body)")
        try fill.fleet.restart(.journald)
        #expect(await fill.fleet.waitUntilReady(.journald))
        let result = try #require(answer)
        let failures = Self.failed(try await fill.invariants(of: result))
        #expect(failures.isEmpty, "\(failures)")
        _ = fill.fleet.stop()
    }
}
