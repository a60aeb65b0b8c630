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
