/// The structured tasks the fleet gives a chat model, and how they are put into chat messages.
///
/// Every task is two messages: a system message with instructions in words (what a real model
/// needs) and a user message that is exactly one JSON object, the task's context, whose `task`
/// field names it. chatd's built-in `local` drafter answers these tasks by reading that JSON, so
/// the same prompt works for a real model and for the drafter.
public enum DraftTaskKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Propose workers for a request and write the client e-mail → a `FillDraft`.
    case fillDraft = "fill_draft"
    /// Fix a previous draft given its violations → a `FillDraft`.
    case correction
    /// Name the role a coordinator's sentence asks for → a `RoleExtractionAnswer`.
    case roleExtraction = "role_extraction"
}

/// Context of `fill_draft` and `correction`.
public struct FillDraftContext: Codable, Sendable, Hashable {
    public var task: DraftTaskKind
    public var request: FillRequestSpec
    /// Retrieved workers to choose from, best first (the full roster records).
    public var workers: [Worker]
    public var playbookWorkerIDs: [String]?
    /// `correction` only: the draft that failed (the object, or the raw text when it did not parse).
    public var previous: JSONValue?
    /// `correction` only: what was wrong with `previous`.
    public var violations: [Violation]?

    enum CodingKeys: String, CodingKey {
        case task, request, workers
        case playbookWorkerIDs = "playbook_worker_ids"
        case previous, violations
    }

    public init(task: DraftTaskKind, request: FillRequestSpec, workers: [Worker], playbookWorkerIDs: [String]? = nil,
                previous: JSONValue? = nil, violations: [Violation]? = nil) {
        self.task = task
        self.request = request
        self.workers = workers
        self.playbookWorkerIDs = playbookWorkerIDs
        self.previous = previous
        self.violations = violations
    }
}

/// Context of `role_extraction`.
public struct RoleExtractionContext: Codable, Sendable, Hashable {
    public var task: DraftTaskKind
    public var text: String
    /// The canonical role names the answer must come from.
    public var roles: [String]

    public init(text: String, roles: [String]) {
        task = .roleExtraction
        self.text = text
        self.roles = roles
    }
}

/// Answer of `role_extraction`: a name from the context's `roles`, or null.
public struct RoleExtractionAnswer: Codable, Sendable, Hashable {
    public var role: String?
    public var confidence: Double

    public init(role: String?, confidence: Double) {
        self.role = role
        self.confidence = confidence
    }
}

public enum DraftPrompt {
    public static let fillInstructions = """
        You draft staffing fills. The user message is one JSON object: `request` (what the client asked for: \
        count, role, city, state, shift, day) and `workers` (the retrieved roster records to choose from). \
        Answer with exactly one JSON object and nothing else: \
        {"fill":{"role":…,"city":…,"state":…,"candidates":[{"worker_id":…,"name":…,"reason":…}]},"email":{"subject":…,"body":…}}. \
        Rules: propose exactly `request.count` different workers taken from `workers`; each must be active, hold the \
        requested role, live in the requested state near the city, work the requested shift and day, and hold the \
        role's certification; copy each worker's id and name exactly. The e-mail is for the client: it names every \
        proposed worker and nobody else, mentions no id other than the proposed W- ids, and never discloses pay, \
        rates, wages or salary, phone numbers, e-mail addresses, or anything shaped like a social security number.
        """

    public static let correctionInstructions = fillInstructions + """
         Your previous draft (`previous`) broke the rules listed in `violations` (each with a JSON path and a \
        message). Answer with the corrected JSON object: fix exactly what the violations name and keep the rest.
        """

    public static let roleInstructions = """
        You classify staffing requests. The user message is one JSON object with `text` (a coordinator's sentence) \
        and `roles` (the allowed role names). Answer with exactly one JSON object: {"role": <one of roles, or null \
        when none fits>, "confidence": <0 to 1>}.
        """

    /// The two messages of a fill task (`fill_draft` or `correction`).
    public static func messages(for context: FillDraftContext) -> [ChatMessage] {
        let instructions = context.task == .correction ? correctionInstructions : fillInstructions
        var bare = context
        bare.workers = []
        let json = (try? WorkerListJSON.bytes(bare, workers: context.workers, under: "workers")).map { String(decoding: $0, as: UTF8.self) }
        return [ChatMessage(role: "system", content: instructions), ChatMessage(role: "user", content: json ?? JSONTree.string(context))]
    }

    /// The two messages of a role-extraction task.
    public static func messages(for context: RoleExtractionContext) -> [ChatMessage] {
        [ChatMessage(role: "system", content: roleInstructions), ChatMessage(role: "user", content: JSONCoding.string(context))]
    }

    /// The task named by the last user message of a conversation, with that message's JSON, or nil
    /// when the conversation is not one of these tasks.
    public static func task(in messages: [ChatMessage]) -> (kind: DraftTaskKind, context: [UInt8])? {
        guard let last = messages.last(where: { $0.role == "user" }) else { return nil }
        let bytes = Array(last.content.utf8)
        guard let object = try? JSONCoding.decode(JSONValue.self, from: bytes),
              let name = object["task"]?.stringValue, let kind = DraftTaskKind(rawValue: name) else { return nil }
        return (kind, bytes)
    }
}
