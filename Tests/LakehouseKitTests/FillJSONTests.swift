import Foundation
import Testing
@testable import LakehouseKit

/// The hand-written trees of the fill's hot types (`FillJSON.swift`) are exactly what their Codable
/// conformances write and read, with optionals present and absent.
@Suite struct FillJSONTests {
    static let full = FillRequestSpec(query: "Need 2 forklift operators in Toledo, OH", count: 2, role: "forklift operator", city: "Toledo",
                                      state: "OH", shift: "2nd", day: "mon")
    static let bare = FillRequestSpec(query: "Need a welder", count: 1)
    static let draft = FillDraft(
        fill: FillProposal(role: "forklift operator", city: "Toledo", state: "OH", candidates: [
            FillCandidate(workerID: "W-000001", name: "Maria \"Mia\" López", reason: "forklift operator in Toledo, OH; holds forklift"),
            FillCandidate(workerID: "W-000002", name: "Li Wei", reason: "works 2nd shift"),
        ]),
        email: ClientEmail(subject: "Proposed candidates: forklift operator, Toledo, OH", body: "Hello,\n\n- Maria (W-000001)\n\tthanks"))
    static let violations = [
        Violation(rule: "salary_disclosure", severity: .error, path: "$.email.body", message: "mentions pay: \"$18.50/hr\""),
        Violation(rule: "certification_unverified", severity: .warning, path: "$.fill.candidates[1]", message: "truthd unreachable"),
    ]
    static let attempts = [
        IterateAttempt(attempt: 1, output: JSONTree.value(draft), violations: violations, valid: false, provider: "local",
                       model: "local-drafter-1", latencyMs: 1.25),
        IterateAttempt(attempt: 2, output: .string("not json ```"), violations: [], valid: true, provider: "local", model: "m", latencyMs: 0),
    ]

    /// `value.jsonValue` equals the tree of Foundation's encoding, and (where given) decoding that
    /// tree by hand equals Foundation's decoding.
    func check<T: Codable & JSONValueConvertible & Equatable>(_ value: T) throws {
        let bytes = try JSONCoding.encode(value)
        #expect(value.jsonValue == (try JSONCoding.decode(JSONValue.self, from: bytes)), "\(T.self)")
        #expect(try JSONValueEncoder.bytes(value) == JSONValueEncoder.bytes(JSONCoding.decode(JSONValue.self, from: bytes)))
        if let readable = T.self as? any JSONValueInitializable.Type {
            let read = try readable.init(jsonValue: JSONCoding.decode(JSONValue.self, from: bytes)) as? T
            #expect(read == (try JSONCoding.decode(T.self, from: bytes)), "\(T.self)")
        }
    }

    @Test func fillTypesWriteAndReadWhatCodableDoes() throws {
        try check(Self.full)
        try check(Self.bare)
        try check(Self.draft)
        try check(Self.draft.fill.candidates[0])
        for violation in Self.violations { try check(violation) }
        for attempt in Self.attempts { try check(attempt) }
        try check(IterateResponse(runID: "r-1", final: Self.draft, valid: false, attempts: Self.attempts))
        try check(IterateResponse(runID: "r-2", final: nil, valid: false, attempts: []))
        try check(FillCommand(query: "q"))
        try check(FillCommand(query: "q", count: 3, provider: "local", maxAttempts: 2))
        let understood = UnderstoodRequest(text: "t", count: nil, role: nil, roleMethod: "none", confidence: 0, city: nil, state: nil, shift: nil, day: nil)
        try check(understood)
        try check(UnderstoodRequest(text: "t", count: 2, role: "welder", roleMethod: "regex", confidence: 0.95, city: "Austin", state: "TX",
                                    shift: "1st", day: "fri"))
        try check(FillRequestedPayload(command: FillCommand(query: "q", count: 1), understood: understood, request: Self.bare))
        try check(FillRetrievedPayload(role: nil, workers: [], playbookWorkerIDs: [], gateDropped: 0))
        try check(FillRetrievedPayload(role: "welder", workers: [RetrievedWorker(id: "W-1", score: 0.770281)], playbookWorkerIDs: ["W-2"], gateDropped: 3))
        let timings = ["understand": 0.4, "retrieve": 2.125, "total": 7]
        try check(FillAnswer(runID: "r", request: Self.full, fill: Self.draft.fill, email: Self.draft.email, valid: true, attempts: Self.attempts,
                             violations: [], corrected: ["salary_disclosure"], timingsMs: timings))
        try check(FillAnswer(runID: "r", request: Self.bare, fill: nil, email: nil, valid: false, attempts: [], violations: Self.violations,
                             corrected: [], timingsMs: [:]))
        try check(FillFinishedPayload(request: Self.full, fill: Self.draft.fill, email: Self.draft.email, valid: true, attempts: 2, maxAttempts: 3,
                                      violations: [], corrected: ["count_mismatch"], provider: "local", timingsMs: timings))
        try check(FillFinishedPayload(request: Self.bare, fill: nil, email: nil, valid: false, attempts: 3, maxAttempts: 3,
                                      violations: Self.violations, corrected: [], provider: nil, timingsMs: [:]))
        try check(ChatMessage(role: "user", content: "{\"task\":\"fill_draft\"}"))
        try check(ChatRequest(messages: [ChatMessage(role: "system", content: "s")]))
        try check(ChatRequest(provider: "local", model: "m", messages: [], temperature: 0.2, maxTokens: 512, json: true))
        try check(ChatUsage(promptTokens: 12, completionTokens: 34))
        try check(ChatResponse(provider: "local", model: "local-drafter-1", message: ChatMessage(role: "assistant", content: "{}"),
                               usage: ChatUsage(promptTokens: 1, completionTokens: 2), latencyMs: 0.07))
        let worker = Worker(id: "W-000001", name: "Maria López", role: "forklift operator", skills: ["inventory"], certifications: ["forklift"],
                            city: "Toledo", state: "OH", lat: 41.65, lon: -83.54, shifts: ["2nd"], days: ["mon"], payRate: 18.5, status: "active",
                            phone: "+1-419-555-0142", email: "m@example.com")
        try check(FillDraftContext(task: .fillDraft, request: Self.full, workers: [worker]))
        try check(FillDraftContext(task: .correction, request: Self.bare, workers: [worker, worker], playbookWorkerIDs: ["W-000009"],
                                   previous: .string("raw text"), violations: Self.violations))
        try check(FillDraftContext(task: .correction, request: Self.bare, workers: [], previous: .null))
        try check(IterateRequest(request: Self.full, candidates: [worker]))
        try check(IterateRequest(kind: "email", request: Self.bare, candidates: [], playbookWorkerIDs: ["W-1"], provider: "local", model: "m",
                                 maxAttempts: 2, runID: "run-1"))
        // The gateway's shape (candidates by id, no records) and the refused mix of both.
        try check(IterateRequest(request: Self.full, candidates: [], candidateIDs: ["W-000001", "W-000002"], runID: "run-2"))
        try check(IterateRequest(request: Self.full, candidates: [worker], candidateIDs: ["W-000001"]))
        try check(IterateRequest(request: Self.full, candidates: [], candidateIDs: []))
    }

    /// What the Codable path refuses, the hand-written readers refuse too (the caller then falls
    /// back to Foundation, which words the error), and an absent optional or a null one reads as nil.
    @Test func readersRefuseWhatCodableRefuses() throws {
        func tree<T: Encodable>(_ value: T) throws -> [String: JSONValue] { try #require(JSONValueEncoder.encode(value).objectValue) }
        var request = try tree(Self.full)
        request["count"] = .number(2.5)
        #expect(throws: (any Error).self) { try FillRequestSpec(jsonValue: .object(request)) }
        request["count"] = .string("2")
        #expect(throws: (any Error).self) { try FillRequestSpec(jsonValue: .object(request)) }
        request["count"] = .number(2)
        request["city"] = .number(1)
        #expect(throws: (any Error).self) { try FillRequestSpec(jsonValue: .object(request)) }
        request["city"] = .null
        request["unknown"] = .bool(true)
        #expect(try FillRequestSpec(jsonValue: .object(request)).city == nil)
        var violation = try tree(Self.violations[0])
        violation["severity"] = .string("fatal")
        #expect(throws: (any Error).self) { try Violation(jsonValue: .object(violation)) }
        var draft = try tree(Self.draft)
        draft["email"] = nil
        #expect(throws: (any Error).self) { try FillDraft(jsonValue: .object(draft)) }
        #expect(throws: (any Error).self) { try FillDraft(jsonValue: .array([])) }
        var answer = try tree(IterateResponse(runID: "r", final: nil, valid: true, attempts: Self.attempts))
        answer["final"] = .null
        #expect(try IterateResponse(jsonValue: .object(answer)).final == nil)
        answer["attempts"] = .object([:])
        #expect(throws: (any Error).self) { try IterateResponse(jsonValue: .object(answer)) }
        #expect(throws: (any Error).self) { try ChatUsage(jsonValue: ["prompt_tokens": 1.5, "completion_tokens": 2]) }
        var task = try tree(FillDraftContext(task: .fillDraft, request: Self.bare, workers: []))
        task["task"] = .string("poem")
        #expect(throws: (any Error).self) { try FillDraftContext(jsonValue: .object(task)) }
        task["task"] = .string("correction")
        task["previous"] = .null
        task["playbook_worker_ids"] = .array([.number(1)])
        #expect(throws: (any Error).self) { try FillDraftContext(jsonValue: .object(task)) }
        task["playbook_worker_ids"] = .null
        #expect(try FillDraftContext(jsonValue: .object(task)).previous == nil)
    }

    /// The journal timestamp written digit by digit is RFC 3339 with milliseconds, as `String(format:)` wrote it.
    @Test func journalTimestampDigits() {
        for seconds in [0, 1_763_726_400.123, 1_795_262_399.999, 951_782_400.5, 4_102_444_799.0005] {
            let date = Date(timeIntervalSince1970: seconds)
            var t = time_t(seconds.rounded(.down))
            var parts = tm()
            gmtime_r(&t, &parts)
            let millis = min(999, max(0, Int((seconds - Double(t)) * 1000)))
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                                  Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
            #expect(JournalEvent.timestamp(date) == expected)
            #expect(RFC3339.isValid(JournalEvent.timestamp(date)))
        }
        #expect(JournalEvent.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }
}
