import LakehouseKit
import Testing
@testable import ValidatorService

@Suite struct IterateLoopTests {
    func loop(_ drafts: ScriptedDrafts, truth: any CertificationSource = FakeCertifications.confirmsAll, journal: RecordingJournal = RecordingJournal(),
              limit: Int = 10) throws -> IterateLoop {
        IterateLoop(drafts: drafts, validator: DraftValidator(roster: try Fixture.holder(), certifications: truth, radiusMiles: 50),
                    journal: journal, attemptLimit: limit)
    }

    static func request(maxAttempts: Int? = nil) -> IterateRequest {
        IterateRequest(request: Fixture.request, candidates: Fixture.workers, maxAttempts: maxAttempts, runID: "run-test")
    }

    static let good = JSONCoding.string(Fixture.draft)
    static var flawed: String {
        var draft = Fixture.draft
        draft.fill.candidates[2] = Fixture.candidate(4)  // inactive
        draft.email.body = draft.email.body.replacingOccurrences(of: "Aisha Khan", with: "Wei Chen")
        return JSONCoding.string(draft)
    }

    @Test func aFlawedFirstDraftIsCorrected() async throws {
        let drafts = ScriptedDrafts([Self.flawed, Self.good])
        let journal = RecordingJournal()
        let response = try await loop(drafts, journal: journal).run(Self.request(), requestID: "req-1")
        #expect(response.valid && response.attempts.count == 2 && response.runID == "run-test")
        #expect(!response.attempts[0].valid && rules(response.attempts[0].violations).contains("inactive_worker"))
        #expect(response.attempts[1].violations.isEmpty && response.final == Fixture.draft)
        // The second call is a correction carrying the first draft and its violations.
        let first = try drafts.context(0), second = try drafts.context(1)
        #expect(first.task == .fillDraft && first.previous == nil && first.workers == Fixture.workers)
        #expect(second.task == .correction && second.violations == response.attempts[0].violations)
        #expect(second.previous == response.attempts[0].output)
        #expect(drafts.requests.withLock { $0.allSatisfy { $0.json == true && $0.messages.count == 2 } })
        let events = journal.events.withLock { $0 }
        #expect(events.map(\.type) == ["iterate.attempt", "iterate.attempt", "iterate.finished"])
        #expect(events.allSatisfy { $0.traceID == "run-test" })
        #expect(events[0].payload["attempt"] == 1 && events[0].payload["valid"] == false && events[0].payload["provider"] == "scripted")
        #expect(events[2].payload["valid"] == true && events[2].payload["attempts"] == 2)
    }

    @Test func aValidFirstDraftTakesOneAttempt() async throws {
        let drafts = ScriptedDrafts([Self.good])
        let response = try await loop(drafts).run(Self.request(), requestID: nil)
        #expect(response.valid && response.attempts.count == 1 && drafts.requests.withLock { $0.count } == 1)
    }

    @Test func anUnparseableDraftIsCorrectedNotFatal() async throws {
        let drafts = ScriptedDrafts(["Sure! Here are three great workers: Maria, James and Aisha.", #"{"fill":{"role":"x"}}"#, "```json\n\(Self.good)\n```"])
        let response = try await loop(drafts).run(Self.request(), requestID: nil)
        #expect(response.valid && response.attempts.count == 3)
        #expect(response.attempts[0].violations.map(\.rule) == ["unparseable_draft"])
        #expect(response.attempts[0].output == .string("Sure! Here are three great workers: Maria, James and Aisha."))
        #expect(response.attempts[1].violations.map(\.rule) == ["unparseable_draft"])
        #expect(response.attempts[1].violations[0].message.contains("missing field"))
        #expect(try drafts.context(1).previous == .string("Sure! Here are three great workers: Maria, James and Aisha."))
        #expect(response.final == Fixture.draft)
    }

    @Test func maxAttemptsReachedAnswersInvalidWithTheLastViolations() async throws {
        let drafts = ScriptedDrafts([Self.flawed, Self.flawed, Self.flawed, Self.good])
        let response = try await loop(drafts).run(Self.request(maxAttempts: 3), requestID: nil)
        #expect(!response.valid && response.attempts.count == 3 && drafts.requests.withLock { $0.count } == 3)
        #expect(rules(response.attempts[2].violations).contains("inactive_worker"))
        #expect(response.final?.fill.candidates[2].workerID == "W-000004")
    }

    @Test func anUnreachableTruthdIsAWarningNotAFailure() async throws {
        let drafts = ScriptedDrafts([Self.good])
        let response = try await loop(drafts, truth: FakeCertifications(answer: .unreachable("connection refused"))).run(Self.request(), requestID: nil)
        #expect(response.valid && response.attempts.count == 1)
        #expect(response.attempts[0].violations.count == 3)
        #expect(response.attempts[0].violations.allSatisfy { $0.rule == "certification_unverified" && $0.severity == .warning })
    }

    @Test func aDownChatdIsAnErrorNamingIt() async throws {
        let journal = RecordingJournal()
        await #expect(throws: ValidatorError(.unavailable, "chatd is unavailable: script exhausted")) {
            try await loop(ScriptedDrafts([]), journal: journal).run(Self.request(), requestID: nil)
        }
        #expect(journal.events.withLock { $0.isEmpty })
    }

    /// The gateway's shape: candidates by id, their records taken from the roster (in the given
    /// order, each once, unknown ids left out); the drafter sees what the records shape would give it.
    @Test func candidatesByIDAreTakenFromTheRoster() async throws {
        let drafts = ScriptedDrafts([Self.good])
        var byID = Self.request()
        byID.candidates = []
        byID.candidateIDs = Fixture.workers.map(\.id) + ["W-999999", Fixture.workers[0].id]
        let response = try await loop(drafts).run(byID, requestID: nil)
        #expect(response.valid && response.attempts.count == 1)
        #expect(try drafts.context(0).workers == Fixture.workers)
        // On the wire the id shape carries no `candidates`, and it decodes back to itself.
        let bytes = try JSONTree.encode(byID)
        let wire = try #require(JSONParsing.value(bytes))
        let keys = Set(wire.objectValue?.keys.map { $0 } ?? [])
        #expect(!keys.contains("candidates") && wire["candidate_ids"]?.arrayValue?.count == Fixture.workers.count + 2)
        let back = try JSONTree.decode(IterateRequest.self, from: bytes)
        #expect(back == byID, "\(back) != \(byID)")
        // The records shape still encodes `candidates` (and no ids).
        let records = try #require(JSONParsing.value(try JSONTree.encode(Self.request())))
        #expect(records["candidates"]?.arrayValue?.count == Fixture.workers.count && records.objectValue?["candidate_ids"] == Optional<JSONValue>.none)
    }

    @Test func candidatesByIDAndAsRecordsAtOnceAreRefused() async throws {
        let drafts = ScriptedDrafts([Self.good])
        var both = Self.request()
        both.candidateIDs = ["W-000001"]
        await #expect(throws: ValidatorError(.badRequest, "give the candidates as 'candidates' (records) or 'candidate_ids', not both")) {
            try await loop(drafts).run(both, requestID: nil)
        }
        var tooMany = Self.request()
        tooMany.candidates = []
        tooMany.candidateIDs = Array(repeating: "W-000001", count: IterateLoop.maxCandidates + 1)
        await #expect(throws: ValidatorError.self) { try await loop(drafts).run(tooMany, requestID: nil) }
        // A body with neither shape is still a decoding error (a 400 in the route), not an empty pool.
        #expect(throws: (any Error).self) { try JSONTree.decode(IterateRequest.self, from: Array(#"{"kind":"fill","request":{"query":"q","count":1,"role":null}}"#.utf8)) }
        #expect(drafts.requests.withLock { $0.isEmpty })
    }

    @Test func badRequestsAreRefusedBeforeDrafting() async throws {
        let drafts = ScriptedDrafts([Self.good])
        var wrongKind = Self.request()
        wrongKind.kind = "email"
        var zero = Self.request()
        zero.request.count = 0
        var emptyQuery = Self.request()
        emptyQuery.request.query = ""
        for request in [wrongKind, zero, emptyQuery, Self.request(maxAttempts: 0), Self.request(maxAttempts: 11)] {
            await #expect(throws: ValidatorError.self) { try await loop(drafts).run(request, requestID: nil) }
        }
        await #expect(throws: ValidatorError.self) { try await loop(drafts, limit: 2).run(Self.request(maxAttempts: 3), requestID: nil) }
        #expect(drafts.requests.withLock { $0.isEmpty })
    }
}
