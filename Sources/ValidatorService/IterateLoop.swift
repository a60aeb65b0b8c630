import Foundation
import LakehouseKit

/// The iterate loop (SPEC §6 `/v1/iterate`): draft → parse → validate → correction prompt naming
/// each violation → retry, up to `max_attempts`. A draft that does not parse is a violation
/// (`unparseable_draft`), corrected like any other. Every attempt is journaled (trace id = run id).
public struct IterateLoop: Sendable {
    let drafts: any DraftSource
    let validator: DraftValidator
    let journal: any AttemptJournal
    /// The largest `max_attempts` a request may ask for (`VALIDATORD_MAX_ATTEMPTS`).
    let attemptLimit: Int

    public init(drafts: any DraftSource, validator: DraftValidator, journal: any AttemptJournal, attemptLimit: Int) {
        self.drafts = drafts
        self.validator = validator
        self.journal = journal
        self.attemptLimit = attemptLimit
    }

    static let maxCount = 1_000

    /// Checks what the loop cannot work with (400s), before any call to chatd.
    func check(_ request: IterateRequest) throws(ValidatorError) -> Int {
        guard request.kind == "fill" else { throw ValidatorError(.badRequest, "kind '\(request.kind)' is not supported; expected 'fill'") }
        guard (1...Self.maxCount).contains(request.request.count) else {
            throw ValidatorError(.badRequest, "request.count must be from 1 to \(Self.maxCount), got \(request.request.count)")
        }
        guard !request.request.query.isEmpty else { throw ValidatorError(.badRequest, "request.query is empty") }
        let attempts = request.maxAttempts ?? min(ValidatorConfig.defaultAttempts, attemptLimit)
        guard (1...attemptLimit).contains(attempts) else {
            throw ValidatorError(.badRequest, "max_attempts must be from 1 to \(attemptLimit) (VALIDATORD_MAX_ATTEMPTS), got \(attempts)")
        }
        if let runID = request.runID, runID.isEmpty || runID.utf8.count > 128 {
            throw ValidatorError(.badRequest, "run_id must be 1 to 128 characters")
        }
        if let ids = request.candidateIDs {
            guard request.candidates.isEmpty else {
                throw ValidatorError(.badRequest, "give the candidates as 'candidates' (records) or 'candidate_ids', not both")
            }
            guard ids.count <= Self.maxCandidates else {
                throw ValidatorError(.badRequest, "candidate_ids holds \(ids.count) ids; at most \(Self.maxCandidates)")
            }
        }
        return attempts
    }

    static let maxCandidates = 10_000

    /// The drafter's workers: the records given, or those of `candidate_ids` from the roster, in
    /// their order, each once; an id the roster does not hold is left out (the roster is what the
    /// draft is validated against: a worker it lacks could only be a phantom).
    static func candidates(_ request: IterateRequest, roster: CompactRoster) -> [Worker] {
        guard let ids = request.candidateIDs else { return request.candidates }
        var seen = Set<Int>()
        var workers: [Worker] = []
        workers.reserveCapacity(ids.count)
        for id in ids {
            if let index = roster.index(ofID: id), seen.insert(index).inserted { workers.append(roster.worker(index)) }
        }
        return workers
    }

    public func run(_ request: IterateRequest, requestID: String?) async throws(ValidatorError) -> IterateResponse {
        let maxAttempts = try check(request)
        // No draft is worth asking for before the roster is there.
        let candidates = Self.candidates(request, roster: try validator.roster.snapshot())
        let runID = request.runID ?? "run-" + EventID.make()
        var attempts: [IterateAttempt] = []
        var final: FillDraft?
        var finalAttempt: Int?
        var previous: JSONValue?
        var previousViolations: [Violation]?
        for number in 1...maxAttempts {
            let started = MonotonicClock.nanoseconds()
            let context = FillDraftContext(task: number == 1 ? .fillDraft : .correction, request: request.request, workers: candidates,
                                           playbookWorkerIDs: request.playbookWorkerIDs, previous: previous, violations: previousViolations)
            let chat = ChatRequest(provider: request.provider, model: request.model, messages: DraftPrompt.messages(for: context), json: true)
            let answer = try await drafts.draft(chat, requestID: requestID)
            let (output, draft, parseViolation) = Self.parse(answer.message.content)
            var violations: [Violation]
            if let draft {
                violations = try await validator.validate(draft, request: request.request, requestID: requestID)
                final = draft
                finalAttempt = number
            } else {
                violations = [parseViolation!]
            }
            let valid = !violations.contains { $0.severity == .error }
            let attempt = IterateAttempt(attempt: number, output: output, violations: violations, valid: valid, provider: answer.provider,
                                         model: answer.model, latencyMs: Double(MonotonicClock.nanoseconds() - started) / 1e6)
            attempts.append(attempt)
            journal.record(type: FillRunEventType.attempt, traceID: runID, subject: nil, payload: Self.json(attempt))
            if valid { break }
            previous = output
            previousViolations = violations
        }
        let response = IterateResponse(runID: runID, final: final, valid: attempts.last?.valid ?? false, attempts: attempts)
        var finished: [String: JSONValue] = ["valid": .bool(response.valid), "attempts": .number(Double(attempts.count)),
                                             "max_attempts": .number(Double(maxAttempts)), "request": Self.json(request.request)]
        // The final draft is the output of the last attempt that parsed, already journaled with that
        // attempt: named by its number here rather than journaled a second time.
        if let finalAttempt { finished["final_attempt"] = .number(Double(finalAttempt)) }
        if let last = attempts.last { finished["provider"] = .string(last.provider) }
        journal.record(type: FillRunEventType.iterateFinished, traceID: runID, subject: nil, payload: .object(finished))
        // Acknowledged means durable: the caller hears of these attempts only once they are spooled.
        await journal.sync()
        return response
    }

    /// The model's answer as a draft: the JSON object (code fences around it tolerated) decoded as a
    /// `FillDraft`. Otherwise the output to record (the object, or the raw text) and the violation.
    static func parse(_ content: String) -> (output: JSONValue, draft: FillDraft?, violation: Violation?) {
        let bytes: [UInt8]
        if content.utf8.first == UInt8(ascii: "{") && content.utf8.last == UInt8(ascii: "}") {
            bytes = Array(content.utf8)  // the usual answer: one bare object, nothing to trim
        } else {
            var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("```") {
                text = String(text.drop { $0 != "\n" }.dropFirst())
                if text.hasSuffix("```") { text = String(text.dropLast(3)) }
            }
            bytes = Array(text.utf8)
        }
        guard let value = JSONParsing.value(bytes), case .object = value else {
            return (.string(content), nil, Violation(rule: "unparseable_draft", severity: .error, path: "$",
                message: "the answer is not a JSON object; answer with exactly one JSON object {\"fill\":{\"role\",\"city\",\"state\",\"candidates\":[{\"worker_id\",\"name\",\"reason\"}]},\"email\":{\"subject\",\"body\"}} and nothing else"))
        }
        if let draft = try? JSONValueDecoder.decode(FillDraft.self, from: value) { return (value, draft, nil) }
        do {
            // Decoded again by JSONCoding only to word the violation (it names the field at fault).
            return (value, try JSONCoding.decode(FillDraft.self, from: bytes), nil)
        } catch {
            return (value, nil, Violation(rule: "unparseable_draft", severity: .error, path: "$",
                message: "the answer is JSON but not a fill draft (\(error.message)); answer with {\"fill\":{\"role\",\"city\",\"state\",\"candidates\":[{\"worker_id\",\"name\",\"reason\"}]},\"email\":{\"subject\",\"body\"}}"))
        }
    }

    static func json<T: Encodable>(_ value: T) -> JSONValue {
        JSONTree.value(value)
    }
}
