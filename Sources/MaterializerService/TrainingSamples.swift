import Foundation
import LakehouseKit

/// One chat message of a training sample.
struct SampleMessage: Sendable, Hashable {
    let role: String
    let content: String
}

/// An SFT sample with the class and run it came from (the class and run go to the `.meta.jsonl`
/// sidecar, so each `sft.jsonl` line carries only `messages`, the one key both TRL and OpenAI
/// fine-tuning document).
struct SFTSample: Sendable, Hashable {
    let sourceClass: SourceClass
    let runID: String
    let category: RunCategory
    let messages: [SampleMessage]

    /// Every text a person could read, for the personal-data scan.
    var texts: [String] { messages.map(\.content) }

    func jsonLine() -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        writer.raw("{\"messages\":")
        TrainingSamples.writeMessages(messages, into: &writer)
        writer.raw("}\n")
        return writer.bytes
    }
}

/// The 8 source classes of SPEC §6.
enum SourceClass: String, Sendable, CaseIterable {
    case fillProposal = "fill_proposal"
    case clientEmail = "client_email"
    case correction
    case roleExtraction = "role_extraction"
    case retrievalRationale = "retrieval_rationale"
    case validationExplanation = "validation_explanation"
    case playbookSummary = "playbook_summary"
    case memoryNote = "memory_note"
}

/// A preference pair in TRL's conversational explicit-prompt form, plus `why`.
struct PreferencePair: Sendable, Hashable {
    let runID: String
    let prompt: [SampleMessage]
    let chosen: String
    let rejected: String
    let why: String

    var texts: [String] { prompt.map(\.content) + [chosen, rejected, why] }

    func jsonLine() -> [UInt8] {
        var writer = JSONWriter(capacity: 2048)
        writer.raw("{\"prompt\":")
        TrainingSamples.writeMessages(prompt, into: &writer)
        writer.raw(",\"chosen\":")
        TrainingSamples.writeMessages([SampleMessage(role: "assistant", content: chosen)], into: &writer)
        writer.raw(",\"rejected\":")
        TrainingSamples.writeMessages([SampleMessage(role: "assistant", content: rejected)], into: &writer)
        writer.raw(",\"why\":")
        writer.string(why)
        writer.raw("}\n")
        return writer.bytes
    }
}

/// A RAG chunk: one retrievable text and its metadata.
struct RAGChunk: Sendable, Hashable {
    let id: String
    let text: String
    let metadata: [String: JSONValue]

    func jsonLine() -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        writer.raw("{\"id\":")
        writer.string(id)
        writer.raw(",\"metadata\":")
        writer.object(metadata)
        writer.raw(",\"text\":")
        writer.string(text)
        writer.raw("}\n")
        return writer.bytes
    }
}

/// The templates that turn evidence into training data. Every text is built from the record alone,
/// deterministically (same record → same bytes). Worker records never enter a sample: only ids,
/// names and the drafter's reasons, which the scan then checks.
enum TrainingSamples {
    static let proposalSystem = """
        You propose workers for a staffing request. Answer with one JSON object {"role","city","state","candidates":[{"worker_id","name","reason"}]}: \
        exactly the requested number of different retrieved workers, each active, of the requested role, near the requested place, \
        on the requested shift and day, with the role's certification; copy ids and names exactly.
        """
    static let emailSystem = """
        You write the client e-mail that presents a staffing fill. Name every proposed worker and nobody else, mention no \
        identifier other than the proposed W- ids, and never disclose pay, phone numbers, e-mail addresses or anything shaped \
        like a social security number. Answer as "Subject: …" followed by a blank line and the body.
        """
    static let correctionSystem = """
        You correct a staffing fill draft. The user message holds the previous draft and the rules it broke, each with a JSON path. \
        Answer with the corrected JSON object {"fill":…,"email":…}: fix exactly what the violations name and keep the rest.
        """
    static let roleSystem = """
        You classify staffing requests. Answer with one JSON object {"role": <a canonical role name, or null>, "confidence": <0 to 1>}.
        """
    static let rationaleSystem = """
        You explain why retrieved workers were chosen for a staffing fill: one line per chosen worker, with their retrieval rank and score.
        """
    static let validationSystem = """
        You check a staffing fill draft against the guardrails (roster ids, duplicates, count, role, geography, activity, shift, names, \
        certifications; and in the e-mail no SSN shapes, no pay, no worker contact details, every candidate named, nobody else). \
        Say whether it passes, and name every broken rule with its JSON path.
        """
    static let playbookSystem = """
        You summarise a successful staffing fill as a playbook entry that later fills of the same role can reuse.
        """
    static let memorySystem = """
        You write short pathway-memory notes about what worked for a kind of staffing request.
        """

    // MARK: - SFT

    static func sft(_ run: SFTEligibleRun) -> [SFTSample] {
        let record = run.evidence
        let final = run.final
        var out: [SFTSample] = []
        func add(_ kind: SourceClass, _ system: String, _ user: String, _ assistant: String) {
            out.append(SFTSample(sourceClass: kind, runID: record.runID, category: run.score.category,
                                 messages: [SampleMessage(role: "system", content: system), SampleMessage(role: "user", content: user),
                                            SampleMessage(role: "assistant", content: assistant)]))
        }
        let request = requestText(record)
        add(.fillProposal, proposalSystem, request + "\n" + retrievedText(record), json(final.fill))
        add(.clientEmail, emailSystem, request + "\nProposed workers:\n" + candidateLines(final.fill), "Subject: \(final.email.subject)\n\n\(final.email.body)")
        if run.score.category == .corrected, let failed = record.attempts.dropLast().last {
            add(.correction, correctionSystem, "Previous draft:\n\(outputText(failed.output))\nViolations:\n\(violationLines(failed.violations))", json(final))
        }
        if let role = record.understood.role {
            let answer: JSONValue = ["role": .string(role), "confidence": .number((record.understood.confidence * 100).rounded() / 100)]
            add(.roleExtraction, roleSystem, record.command.query, jsonValue(answer))
        }
        add(.retrievalRationale, rationaleSystem, request + "\n" + retrievedText(record), rationale(record, final.fill))
        if run.score.category == .corrected, let failed = record.attempts.first, case .object = failed.output {
            add(.validationExplanation, validationSystem, request + "\nDraft:\n" + outputText(failed.output),
                "The draft fails \(Set(failed.violations.map(\.rule)).count) rule(s):\n" + violationLines(failed.violations))
        } else {
            add(.validationExplanation, validationSystem, request + "\nDraft:\n" + json(final),
                "The draft passes every rule: \(final.fill.candidates.count) roster worker(s) of role \(final.fill.role) in \(final.fill.city), \(final.fill.state), each named in the e-mail, which discloses no personal data.")
        }
        add(.playbookSummary, playbookSystem, request + "\nFill:\n" + candidateLines(final.fill), playbook(record, final))
        add(.memoryNote, memorySystem, request + "\nOutcome: \(outcome(record))", memoryNote(record, final))
        return out
    }

    // MARK: - Preference

    /// One pair per failed attempt of a corrected run: chosen = the final valid draft, rejected = the failed one.
    static func preference(_ run: SFTEligibleRun) -> [PreferencePair] {
        guard run.score.category == .corrected else { return [] }
        let record = run.evidence
        let prompt = [SampleMessage(role: "system", content: DraftPrompt.fillInstructions),
                      SampleMessage(role: "user", content: requestText(record) + "\n" + retrievedText(record))]
        return record.attempts.dropLast().filter { !$0.valid }.map { failed in
            let broken = failed.violations.filter { $0.severity == .error }
            let why = "The rejected draft (attempt \(failed.attempt)) breaks " +
                broken.map { "\($0.rule) at \($0.path)" }.joined(separator: ", ") +
                "; the chosen draft (attempt \(record.attempts.count)) passes every rule."
            return PreferencePair(runID: record.runID, prompt: prompt, chosen: json(run.final), rejected: outputText(failed.output), why: why)
        }
    }

    // MARK: - RAG

    static func rag(_ run: SFTEligibleRun) -> [RAGChunk] {
        let record = run.evidence
        let request = record.request
        var metadata: [String: JSONValue] = [
            "run_id": .string(record.runID), "category": .string(run.score.category.rawValue), "score": .number(run.score.score),
            "role": .string(request.role ?? run.final.fill.role), "worker_ids": .array(run.final.fill.candidates.map { .string($0.workerID) }),
        ]
        if let city = request.city { metadata["city"] = .string(city) }
        if let state = request.state { metadata["state"] = .string(state) }
        if let shift = request.shift { metadata["shift"] = .string(shift) }
        if let day = request.day { metadata["day"] = .string(day) }
        var fillMeta = metadata
        fillMeta["kind"] = "fill"
        var out = [RAGChunk(id: record.runID + ":fill", text: playbook(record, run.final) + "\nRequest: " + record.command.query, metadata: fillMeta)]
        if run.score.category == .corrected {
            var lessonMeta = metadata
            lessonMeta["kind"] = "correction_lesson"
            let rules = run.score.firstRules
            lessonMeta["rules"] = .array(rules.map { .string($0) })
            let text = "A \(request.role ?? "staffing") fill for \(place(request)) first broke \(rules.joined(separator: ", ")); " +
                "after \(record.attempts.count - 1) correction(s) the draft proposing \(run.final.fill.candidates.map(\.name).joined(separator: ", ")) passed every rule."
            out.append(RAGChunk(id: record.runID + ":lesson", text: text, metadata: lessonMeta))
        }
        return out
    }

    // MARK: - Text pieces

    static func requestText(_ record: EvidenceRecord) -> String {
        let r = record.request
        var parts = ["count \(r.count)"]
        if let role = r.role { parts.append("role \(role)") }
        parts.append("place \(place(r))")
        if let shift = r.shift { parts.append("shift \(shift)") }
        if let day = r.day { parts.append("day \(day)") }
        return "Request: \(r.query)\nUnderstood: " + parts.joined(separator: "; ")
    }

    static func place(_ r: FillRequestSpec) -> String {
        switch (r.city, r.state) {
        case (let city?, let state?): "\(city), \(state)"
        case (nil, let state?): state
        case (let city?, nil): city
        default: "anywhere"
        }
    }

    static func retrievedText(_ record: EvidenceRecord) -> String {
        let workers = record.retrieval.workers.prefix(20).map { "\($0.id) (\(score3($0.score)))" }.joined(separator: ", ")
        var text = "Retrieved workers, best first: " + (workers.isEmpty ? "none" : workers)
        if !record.retrieval.playbookWorkerIDs.isEmpty {
            text += "\nWorkers of same-role successful playbooks: " + record.retrieval.playbookWorkerIDs.prefix(20).joined(separator: ", ")
        }
        return text
    }

    static func candidateLines(_ fill: FillProposal) -> String {
        fill.candidates.map { "- \($0.name) (\($0.workerID)): \($0.reason)" }.joined(separator: "\n")
    }

    static func violationLines(_ violations: [Violation]) -> String {
        violations.map { "- \($0.rule) (\($0.severity.rawValue)) at \($0.path): \($0.message)" }.joined(separator: "\n")
    }

    static func rationale(_ record: EvidenceRecord, _ fill: FillProposal) -> String {
        let ranked = record.retrieval.workers
        return fill.candidates.map { candidate in
            if let rank = ranked.firstIndex(where: { $0.id == candidate.workerID }) {
                return "\(candidate.workerID) \(candidate.name): retrieved at rank \(rank + 1) of \(ranked.count) (score \(score3(ranked[rank].score))); \(candidate.reason)"
            }
            return "\(candidate.workerID) \(candidate.name): from a same-role playbook; \(candidate.reason)"
        }.joined(separator: "\n")
    }

    static func outcome(_ record: EvidenceRecord) -> String {
        record.attempts.count == 1 ? "valid on the first draft"
            : "valid after \(record.attempts.count) drafts (corrected: \(record.corrected.isEmpty ? "none named" : record.corrected.joined(separator: ", ")))"
    }

    static func playbook(_ record: EvidenceRecord, _ final: FillDraft) -> String {
        let r = record.request
        var when: [String] = []
        if let shift = r.shift { when.append("\(shift) shift") }
        if let day = r.day { when.append(day) }
        return "Filled \(final.fill.candidates.count) \(final.fill.role) position(s) in \(final.fill.city), \(final.fill.state)" +
            (when.isEmpty ? "" : " (\(when.joined(separator: ", ")))") + " with " +
            final.fill.candidates.map { "\($0.name) (\($0.workerID))" }.joined(separator: ", ") + "; \(outcome(record))."
    }

    static func memoryNote(_ record: EvidenceRecord, _ final: FillDraft) -> String {
        let ids = final.fill.candidates.map(\.workerID).joined(separator: ", ")
        var note = "For \(final.fill.role) requests near \(final.fill.city), \(final.fill.state): \(ids) made a valid fill."
        let firstRules = Set((record.attempts.first?.violations ?? []).filter { $0.severity == .error }.map(\.rule)).sorted()
        note += firstRules.isEmpty ? " The first draft passed every rule." : " The first draft broke \(firstRules.joined(separator: ", ")); check those first."
        return note
    }

    /// `value` with exactly 3 decimals ("0.912"), without Foundation's formatter.
    static func score3(_ value: Double) -> String {
        let thousandths = Int((abs(value) * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return (value < 0 && thousandths > 0 ? "-" : "") + "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    static func json<T: Encodable>(_ value: T) -> String { (try? JSONValueEncoder.string(value)) ?? "null" }

    static func jsonValue(_ value: JSONValue) -> String {
        var writer = JSONWriter(capacity: 128)
        writer.value(value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    static func outputText(_ output: JSONValue) -> String {
        if case .string(let text) = output { return text }
        return jsonValue(output)
    }

    static func writeMessages(_ messages: [SampleMessage], into writer: inout JSONWriter) {
        writer.raw("[")
        for (index, message) in messages.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{\"role\":")
            writer.string(message.role)
            writer.raw(",\"content\":")
            writer.string(message.content)
            writer.raw("}")
        }
        writer.raw("]")
    }
}
