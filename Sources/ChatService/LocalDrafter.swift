import Foundation
import LakehouseKit

/// The built-in `local` provider's brain: a deterministic, rule-based drafter with no model. It
/// answers the fleet's own structured tasks (`DraftPrompt`): the last user message is one JSON
/// object whose `task` is `fill_draft`, `correction` or `role_extraction`, and the answer is the
/// JSON of a `FillDraft` or a `RoleExtractionAnswer`, encoded with sorted keys so the same request
/// gets the same bytes. A share of first drafts (`CHATD_LOCAL_FLAW_RATE`) carries one deliberate
/// mistake (`FlawInjector`); corrections fix what the violations name (`DraftCorrector`) and never
/// add one. Anything else gets a short plain reply saying what it can do. It is not a language
/// model and does not pretend to be one.
struct LocalDrafter: Sendable {
    static let model = "local-drafter-1"
    static let notATask = "The local drafter is not a language model: it only answers Lakehouse tasks (fill_draft, correction, "
        + "role_extraction) given as one JSON object in the last user message. Configure a model provider (CHATD_FALLBACK) for open conversation."

    let flaws: FlawInjector

    init(flawRate: Double) {
        flaws = FlawInjector(rate: flawRate)
    }

    func answer(_ messages: [ChatMessage], json: Bool) -> String {
        guard let last = messages.last(where: { $0.role == "user" }) else { return plainReply(LocalDrafter.notATask, json: json) }
        let bytes = Array(last.content.utf8)
        // The hot path: a fill task, its workers read straight into `Worker`s.
        if let (bare, workers) = WorkerListJSON.decode(FillDraftContext.self, from: bytes, workersUnder: "workers"), bare.task != .roleExtraction {
            var context = bare
            context.workers = workers
            return fill(context)
        }
        guard let (kind, context) = LocalDrafter.task(in: bytes) else { return plainReply(LocalDrafter.notATask, json: json) }
        switch kind {
        case .fillDraft, .correction:
            guard let context = try? JSONValueDecoder.decode(FillDraftContext.self, from: context) else {
                return plainReply("The local drafter could not read this \(kind.rawValue) context: it must be a FillDraftContext object.", json: json)
            }
            return fill(context)
        case .roleExtraction:
            guard let context = try? JSONValueDecoder.decode(RoleExtractionContext.self, from: context) else {
                return plainReply("The local drafter could not read this role_extraction context: it needs text and roles.", json: json)
            }
            // Encoded by hand so that "no role" is an explicit null, as the task's instructions say.
            let found = LocalRoleMatcher.extract(context)
            return String(decoding: WireJSON.encode(["confidence": .number(found.confidence), "role": found.role.map { .string($0) } ?? .null]), as: UTF8.self)
        }
    }

    /// A first draft or a correction of `context` (a `fill_draft` or `correction` task).
    func fill(_ context: FillDraftContext) -> String {
        JSONTree.string(context.task == .fillDraft ? firstDraft(context).draft : DraftCorrector.correct(context))
    }

    /// `DraftPrompt.task(in:)` with the pull reader: the task named by the last user message's JSON
    /// (`bytes`), and that JSON parsed once (the context is decoded from this tree, not parsed again).
    static func task(in bytes: [UInt8]) -> (kind: DraftTaskKind, context: JSONValue)? {
        guard let context = JSONParsing.value(bytes), let name = context["task"]?.stringValue, let kind = DraftTaskKind(rawValue: name) else { return nil }
        return (kind, context)
    }

    /// A fill proposal for `context`, with its deliberate mistake when this request is one of the flawed share.
    func firstDraft(_ context: FillDraftContext) -> (draft: FillDraft, flaw: DraftFlaw?) {
        let chosen = Array(FillRules.ranked(context).prefix(max(context.request.count, 0)))
        return flaws.apply(to: chosen, context: context, hash: FlawInjector.stableHash(LocalDrafter.fingerprint(context)))
    }

    /// What identifies a fill request for the flaw decision: the request's fields, the offered
    /// workers' ids in order and the playbook hints (not the task name, so a correction of the
    /// same request hashes alike).
    static func fingerprint(_ context: FillDraftContext) -> [UInt8] {
        let request = context.request
        var parts = [request.query, String(request.count), request.role ?? "", request.city ?? "", request.state ?? "", request.shift ?? "", request.day ?? ""]
        parts += context.workers.map(\.id)
        parts.append("|")
        parts += context.playbookWorkerIDs ?? []
        return Array(parts.joined(separator: "\u{1F}").utf8)
    }

    /// A clean draft proposing exactly `workers`.
    static func draft(_ workers: [Worker], context: FillDraftContext) -> FillDraft {
        let request = context.request
        let candidates = workers.map { DraftWriter.candidate($0, request: request) }
        return assemble(candidates, context: context)
    }

    /// The draft for `candidates` with a fresh e-mail written from them.
    static func assemble(_ candidates: [FillCandidate], context: FillDraftContext) -> FillDraft {
        let request = context.request
        let byID = byID(context.workers)
        let first = candidates.first.flatMap { byID[$0.workerID] }
        let fill = FillProposal(role: request.role ?? first?.role ?? "", city: request.city ?? first?.city ?? "",
                                state: request.state ?? first?.state ?? "", candidates: candidates)
        return FillDraft(fill: fill, email: DraftWriter.email(for: candidates, request: request, workers: byID))
    }

    static func byID(_ workers: [Worker]) -> [String: Worker] {
        var map: [String: Worker] = [:]
        for worker in workers where map[worker.id] == nil { map[worker.id] = worker }
        return map
    }

    private func plainReply(_ text: String, json: Bool) -> String {
        json ? JSONCoding.string(["message": text]) : text
    }
}

/// `role_extraction`: the role from `roles` whose name or vocabulary synonym (or its plural) occurs
/// in the text as whole words; the longest match wins, so "nurse aide" beats "nurse".
enum LocalRoleMatcher {
    static func extract(_ context: RoleExtractionContext) -> RoleExtractionAnswer {
        let text = " " + normalise(context.text) + " "
        var best: (role: String, length: Int, canonical: Bool)?
        for role in context.roles {
            let phrases = [(role, true)] + (RoleVocabulary.definition(named: role)?.synonyms ?? []).map { ($0, false) }
            for (phrase, canonical) in phrases {
                let words = normalise(phrase)
                guard !words.isEmpty else { continue }
                for form in [words, words + "s", words + "es"] where text.contains(" " + form + " ") {
                    if best == nil || words.count > best!.length {
                        best = (role, words.count, canonical)
                    }
                }
            }
        }
        guard let best else { return RoleExtractionAnswer(role: nil, confidence: 0) }
        return RoleExtractionAnswer(role: best.role, confidence: best.canonical ? 0.9 : 0.8)
    }

    /// Lower case, letters and digits kept, everything else one space.
    static func normalise(_ text: String) -> String {
        var out = ""
        var space = true
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                out.append(character)
                space = false
            } else if !space {
                out.append(" ")
                space = true
            }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}
