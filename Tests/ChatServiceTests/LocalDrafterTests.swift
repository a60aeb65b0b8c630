import Foundation
import LakehouseKit
import Testing
@testable import ChatService

@Suite struct LocalDrafterTests {
    private func ask(_ drafter: LocalDrafter, _ context: FillDraftContext) -> String {
        drafter.answer(DraftPrompt.messages(for: context), json: true)
    }

    private func decodeDraft(_ text: String) throws -> FillDraft {
        try JSONDecoder().decode(FillDraft.self, from: Data(text.utf8))
    }

    @Test func sameRequestGivesByteIdenticalAnswer() throws {
        for context in DraftFixtures.contexts(12) {
            let first = ask(LocalDrafter(flawRate: 0.25), context)
            let second = ask(LocalDrafter(flawRate: 0.25), context)
            #expect(first == second)
            // Keys sorted, so the bytes do not depend on dictionary order.
            #expect(first.hasPrefix(#"{"email":{"body":"#))
        }
        let roles = RoleExtractionContext(text: "Need 3 forklift drivers in Toledo", roles: RoleVocabulary.names)
        let prompt = DraftPrompt.messages(for: roles)
        #expect(LocalDrafter(flawRate: 1).answer(prompt, json: true) == LocalDrafter(flawRate: 0).answer(prompt, json: true))
    }

    @Test func withFlawRateZeroEveryDraftPassesEveryRule() throws {
        let drafter = LocalDrafter(flawRate: 0)
        let contexts = DraftFixtures.contexts(60)
        for context in contexts {
            let draft = try decodeDraft(ask(drafter, context))
            let violations = DraftRulesOracle.violations(draft, context: context)
            #expect(violations.isEmpty, "\(context.request.query) shift \(context.request.shift ?? "-"): \(violations.map(\.rule)) \(draft.email.body)")
            #expect(draft.fill.candidates.count == context.request.count)
            for candidate in draft.fill.candidates {
                #expect(!candidate.reason.isEmpty)
                let worker = try #require(context.workers.first { $0.id == candidate.workerID })
                #expect(!candidate.reason.contains(worker.phone) && !candidate.reason.contains("$") && !candidate.reason.contains(worker.email))
            }
        }
        // The scenarios cover several roles and states, and certification roles among them.
        #expect(Set(contexts.map { $0.request.role! }).count >= 5)
        #expect(Set(contexts.map { $0.request.state! }).count >= 5)
    }

    @Test func playbookWorkersComeFirstAmongQualified() throws {
        for context in DraftFixtures.contexts(12) where context.playbookWorkerIDs != nil {
            let draft = try decodeDraft(ask(LocalDrafter(flawRate: 0), context))
            #expect(draft.fill.candidates.first?.workerID == context.playbookWorkerIDs?.first)
        }
    }

    @Test func fewerQualifiedWorkersThanAskedProposesWhatThereIs() throws {
        var context = DraftFixtures.contexts(1)[0]
        let qualified = context.workers.filter { FillRules.qualifies($0, for: context.request) }.count
        context.request.count = qualified + 3
        let draft = try decodeDraft(ask(LocalDrafter(flawRate: 1), context))
        #expect(draft.fill.candidates.count == qualified)
        #expect(DraftRulesOracle.violations(draft, context: context).map(\.rule) == ["count_mismatch"])
    }

    @Test func withFlawRateOneEveryFirstDraftHasExactlyOneFlawAndItsCorrectionRemovesIt() throws {
        let drafter = LocalDrafter(flawRate: 1)
        var kinds: [String: Int] = [:]
        for context in DraftFixtures.contexts(90) {
            let answer = ask(drafter, context)
            let draft = try decodeDraft(answer)
            let violations = DraftRulesOracle.violations(draft, context: context)
            #expect(violations.count == 1, "\(context.request.query): \(violations.map(\.rule))\n\(draft.email.body)")
            guard let violation = violations.first else { continue }
            kinds[violation.rule, default: 0] += 1
            #expect(drafter.firstDraft(context).flaw?.rawValue == violation.rule)

            // Feed the violation back as the iterate loop would.
            var correction = context
            correction.task = .correction
            correction.previous = try JSONDecoder().decode(JSONValue.self, from: Data(answer.utf8))
            correction.violations = violations
            let corrected = try decodeDraft(ask(drafter, correction))
            let left = DraftRulesOracle.violations(corrected, context: context)
            #expect(left.isEmpty, "\(violation.rule) not fixed: \(left.map(\.rule))\n\(corrected.email.body)")
            // Only what was named changed: untouched candidates keep their place and reason.
            if violation.rule == "salary_disclosure" || violation.rule == "contact_leak" {
                #expect(corrected.fill == draft.fill)
            }
            // Corrections never add a flaw: correcting a clean draft with no violations changes nothing.
            var again = correction
            again.previous = try JSONDecoder().decode(JSONValue.self, from: Data(JSONCoding.string(corrected).utf8))
            again.violations = []
            #expect(try decodeDraft(ask(drafter, again)) == corrected)
        }
        #expect(Set(kinds.keys) == ["count_mismatch", "salary_disclosure", "contact_leak", "geo_mismatch", "name_mismatch"], "\(kinds)")
    }

    @Test func flawedShareFollowsTheRate() {
        let contexts = DraftFixtures.contexts(400, seed: 11)
        let flawed = contexts.filter { LocalDrafter(flawRate: 0.25).firstDraft($0).flaw != nil }.count
        #expect((60...140).contains(flawed), "\(flawed) of 400 flawed at rate 0.25")
        #expect(contexts.allSatisfy { LocalDrafter(flawRate: 0).firstDraft($0).flaw == nil })
    }

    @Test func correctionReplacesTheNamedCandidatesAndFixesTheCount() throws {
        let drafter = LocalDrafter(flawRate: 0)
        let context = DraftFixtures.contexts(4)[2]  // count 3
        let clean = try decodeDraft(ask(drafter, context))
        var broken = clean
        let inactive = try #require(context.workers.first { $0.status == "inactive" })
        broken.fill.candidates[1] = FillCandidate(workerID: inactive.id, name: inactive.name, reason: "x")
        broken.fill.candidates.append(FillCandidate(workerID: "W-999999", name: "Nobody Here", reason: "x"))
        var correction = context
        correction.task = .correction
        correction.previous = try JSONDecoder().decode(JSONValue.self, from: Data(JSONCoding.string(broken).utf8))
        correction.violations = DraftRulesOracle.violations(broken, context: context)
        #expect(Set(correction.violations!.map(\.rule)).isSuperset(of: ["inactive_worker", "phantom_worker", "count_mismatch"]))
        let fixed = try decodeDraft(ask(drafter, correction))
        #expect(DraftRulesOracle.violations(fixed, context: context).isEmpty)
        #expect(fixed.fill.candidates[0] == clean.fill.candidates[0])
        #expect(fixed.fill.candidates[2] == clean.fill.candidates[2])
        #expect(fixed.fill.candidates[1].workerID != inactive.id)
    }

    @Test func unparseablePreviousDraftIsDraftedAfresh() throws {
        let drafter = LocalDrafter(flawRate: 1)
        for context in DraftFixtures.contexts(6) {
            var correction = context
            correction.task = .correction
            correction.previous = .string("Sure! Here are some workers: {oops")
            correction.violations = [Violation(rule: "unparseable_draft", severity: .error, path: "$", message: "not JSON")]
            let draft = try decodeDraft(ask(drafter, correction))
            #expect(DraftRulesOracle.violations(draft, context: context).isEmpty)
        }
    }

    @Test func roleExtractionUsesNamesSynonymsAndPlurals() throws {
        let drafter = LocalDrafter(flawRate: 0.25)
        let cases: [(String, String?)] = [
            ("Need 3 forklift drivers in Toledo, OH for Monday 2nd shift", "forklift operator"),
            ("two RNs for the ICU tonight", "registered nurse"),
            ("we need nurse aides on weekends", "certified nursing assistant"),
            ("Looking for CDL-A drivers out of Atlanta", "cdl driver"),
            ("three welders", "welder"),
            ("hello, how are you?", nil),
        ]
        for (text, expected) in cases {
            let answer = drafter.answer(DraftPrompt.messages(for: RoleExtractionContext(text: text, roles: RoleVocabulary.names)), json: true)
            let decoded = try JSONDecoder().decode(RoleExtractionAnswer.self, from: Data(answer.utf8))
            #expect(decoded.role == expected, "\(text) → \(answer)")
            #expect(expected == nil ? decoded.confidence == 0 : decoded.confidence > 0.5)
        }
        // The answer comes only from the roles offered.
        let restricted = drafter.answer(DraftPrompt.messages(for: RoleExtractionContext(text: "forklift operators", roles: ["welder"])), json: true)
        #expect(restricted == #"{"confidence":0,"role":null}"#)
    }

    @Test func conversationThatIsNotATaskGetsAPlainReply() {
        let drafter = LocalDrafter(flawRate: 0.25)
        let reply = drafter.answer([ChatMessage(role: "user", content: "Write me a poem")], json: false)
        #expect(reply == LocalDrafter.notATask)
        let json = drafter.answer([ChatMessage(role: "user", content: #"{"task":"unknown"}"#)], json: true)
        #expect((try? JSONDecoder().decode([String: String].self, from: Data(json.utf8)))?["message"] == LocalDrafter.notATask)
    }
}
