/// The JSON trees of the fill's hot types by hand (`JSONValueConvertible` / `JSONValueInitializable`),
/// the same trees their Codable conformances give and take: a fill's drafts, attempts, answer and
/// journal payloads cross gateway → validatord → chatd and back, and generic coding was a large part
/// of those daemons' CPU per fill. Encoding leaves out nil optionals (as `encodeIfPresent` does);
/// decoding accepts what the synthesized `Decodable` accepts (unknown keys ignored, null or missing
/// optionals are nil) and throws on the rest, so a caller's fallback to the Codable path words the error.

/// Reads the fields of one JSON object for a hand-written `init(jsonValue:)`.
struct JSONFields {
    let fields: [String: JSONValue]
    let type: String

    init(_ value: JSONValue, _ type: String) throws {
        guard case .object(let fields) = value else { throw JSONValueDecoder.Failure(path: "", message: "\(type): expected an object") }
        self.fields = fields
        self.type = type
    }

    func fail(_ key: String, _ message: String) -> JSONValueDecoder.Failure {
        JSONValueDecoder.Failure(path: key, message: "\(type): \(message)")
    }

    func string(_ key: String) throws -> String {
        guard case .string(let text) = fields[key] else { throw fail(key, "expected a string") }
        return text
    }

    func optionalString(_ key: String) throws -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw fail(key, "expected a string")
        }
    }

    func double(_ key: String) throws -> Double {
        guard case .number(let value) = fields[key] else { throw fail(key, "expected a number") }
        return value
    }

    func int(_ key: String) throws -> Int {
        guard case .number(let value) = fields[key], let int = Int(exactly: value) else { throw fail(key, "expected an integer") }
        return int
    }

    func optionalInt(_ key: String) throws -> Int? {
        switch fields[key] {
        case nil, .null?: return nil
        case .number(let value)?:
            guard let int = Int(exactly: value) else { throw fail(key, "expected an integer") }
            return int
        default: throw fail(key, "expected an integer")
        }
    }

    func bool(_ key: String) throws -> Bool {
        guard case .bool(let value) = fields[key] else { throw fail(key, "expected a boolean") }
        return value
    }

    func value(_ key: String) throws -> JSONValue {
        guard let value = fields[key] else { throw fail(key, "missing") }
        return value
    }

    func object<T: JSONValueInitializable>(_ key: String, _: T.Type = T.self) throws -> T {
        guard let value = fields[key] else { throw fail(key, "missing") }
        return try T(jsonValue: value)
    }

    func optionalObject<T: JSONValueInitializable>(_ key: String, _: T.Type = T.self) throws -> T? {
        switch fields[key] {
        case nil, .null?: return nil
        case let value?: return try T(jsonValue: value)
        }
    }

    func optionalValue(_ key: String) -> JSONValue? {
        if case .null? = fields[key] { return nil }
        return fields[key]
    }

    func optionalStrings(_ key: String) throws -> [String]? {
        switch fields[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            var out: [String] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard case .string(let text) = item else { throw fail(key, "expected an array of strings") }
                out.append(text)
            }
            return out
        default: throw fail(key, "expected an array of strings")
        }
    }

    func optionalList<T: JSONValueInitializable>(_ key: String, _: T.Type = T.self) throws -> [T]? {
        if case nil = fields[key] { return nil }
        if case .null? = fields[key] { return nil }
        return try list(key, T.self)
    }

    func list<T: JSONValueInitializable>(_ key: String, _: T.Type = T.self) throws -> [T] {
        guard case .array(let items) = fields[key] else { throw fail(key, "expected an array") }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for item in items { out.append(try T(jsonValue: item)) }
        return out
    }
}

extension Optional where Wrapped == String {
    /// The value for a tree field: `.string`, or nil (the key left out) when absent.
    fileprivate var json: JSONValue? { map(JSONValue.string) }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// Sets `key` only when `value` is present (what `encodeIfPresent` does).
    fileprivate mutating func put(_ key: String, _ value: JSONValue?) {
        if let value { self[key] = value }
    }
}

extension FillRequestSpec: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = ["query": .string(query), "count": .number(Double(count))]
        o.put("role", role.json)
        o.put("city", city.json)
        o.put("state", state.json)
        o.put("shift", shift.json)
        o.put("day", day.json)
        return .object(o)
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "request")
        self.init(query: try f.string("query"), count: try f.int("count"), role: try f.optionalString("role"), city: try f.optionalString("city"),
                  state: try f.optionalString("state"), shift: try f.optionalString("shift"), day: try f.optionalString("day"))
    }
}

extension FillCandidate: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        .object(["worker_id": .string(workerID), "name": .string(name), "reason": .string(reason)])
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "candidate")
        self.init(workerID: try f.string("worker_id"), name: try f.string("name"), reason: try f.string("reason"))
    }
}

extension FillProposal: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        .object(["role": .string(role), "city": .string(city), "state": .string(state), "candidates": .array(candidates.map(\.jsonValue))])
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "fill")
        self.init(role: try f.string("role"), city: try f.string("city"), state: try f.string("state"), candidates: try f.list("candidates"))
    }
}

extension ClientEmail: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        .object(["subject": .string(subject), "body": .string(body)])
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "email")
        self.init(subject: try f.string("subject"), body: try f.string("body"))
    }
}

extension FillDraft: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        .object(["fill": fill.jsonValue, "email": email.jsonValue])
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "draft")
        self.init(fill: try f.object("fill"), email: try f.object("email"))
    }
}

extension Violation: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        .object(["rule": .string(rule), "severity": .string(severity.rawValue), "path": .string(path), "message": .string(message)])
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "violation")
        guard let severity = ViolationSeverity(rawValue: try f.string("severity")) else { throw f.fail("severity", "expected error or warning") }
        self.init(rule: try f.string("rule"), severity: severity, path: try f.string("path"), message: try f.string("message"))
    }
}

extension IterateAttempt: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        .object(["attempt": .number(Double(attempt)), "output": output, "violations": .array(violations.map(\.jsonValue)), "valid": .bool(valid),
                 "provider": .string(provider), "model": .string(model), "latency_ms": .number(latencyMs)])
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "attempt")
        self.init(attempt: try f.int("attempt"), output: try f.value("output"), violations: try f.list("violations"), valid: try f.bool("valid"),
                  provider: try f.string("provider"), model: try f.string("model"), latencyMs: try f.double("latency_ms"))
    }
}

extension IterateResponse: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = ["run_id": .string(runID), "valid": .bool(valid), "attempts": .array(attempts.map(\.jsonValue))]
        o.put("final", final?.jsonValue)
        return .object(o)
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "iterate answer")
        self.init(runID: try f.string("run_id"), final: try f.optionalObject("final"), valid: try f.bool("valid"), attempts: try f.list("attempts"))
    }
}

extension FillCommand: JSONValueConvertible {
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = ["query": .string(query)]
        o.put("count", count.map { .number(Double($0)) })
        o.put("provider", provider.json)
        o.put("max_attempts", maxAttempts.map { .number(Double($0)) })
        return .object(o)
    }
}

extension UnderstoodRequest: JSONValueConvertible {
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = ["text": .string(text), "role_method": .string(roleMethod), "confidence": .number(confidence)]
        o.put("count", count.map { .number(Double($0)) })
        o.put("role", role.json)
        o.put("city", city.json)
        o.put("state", state.json)
        o.put("shift", shift.json)
        o.put("day", day.json)
        return .object(o)
    }
}

extension FillAnswer: JSONValueConvertible {
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = [
            "run_id": .string(runID), "request": request.jsonValue, "valid": .bool(valid), "attempts": .array(attempts.map(\.jsonValue)),
            "violations": .array(violations.map(\.jsonValue)), "corrected": .array(corrected.map(JSONValue.string)),
            "timings_ms": .object(timingsMs.mapValues(JSONValue.number)),
        ]
        o.put("fill", fill?.jsonValue)
        o.put("email", email?.jsonValue)
        return .object(o)
    }
}

extension FillRequestedPayload: JSONValueConvertible {
    public var jsonValue: JSONValue {
        .object(["command": command.jsonValue, "understood": understood.jsonValue, "request": request.jsonValue])
    }
}

extension RetrievedWorker: JSONValueConvertible {
    public var jsonValue: JSONValue {
        .object(["id": .string(id), "score": .number(score)])
    }
}

extension FillRetrievedPayload: JSONValueConvertible {
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = ["workers": .array(workers.map(\.jsonValue)), "playbook_worker_ids": .array(playbookWorkerIDs.map(JSONValue.string)),
                                      "gate_dropped": .number(Double(gateDropped))]
        o.put("role", role.json)
        return .object(o)
    }
}

extension FillFinishedPayload: JSONValueConvertible {
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = [
            "request": request.jsonValue, "valid": .bool(valid), "attempts": .number(Double(attempts)), "max_attempts": .number(Double(maxAttempts)),
            "violations": .array(violations.map(\.jsonValue)), "corrected": .array(corrected.map(JSONValue.string)),
            "timings_ms": .object(timingsMs.mapValues(JSONValue.number)),
        ]
        o.put("fill", fill?.jsonValue)
        o.put("email", email?.jsonValue)
        o.put("provider", provider.json)
        return .object(o)
    }
}

extension ChatMessage: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        .object(["role": .string(role), "content": .string(content)])
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "message")
        self.init(role: try f.string("role"), content: try f.string("content"))
    }
}

extension ChatRequest: JSONValueConvertible {
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = ["messages": .array(messages.map(\.jsonValue))]
        o.put("provider", provider.json)
        o.put("model", model.json)
        o.put("temperature", temperature.map(JSONValue.number))
        o.put("max_tokens", maxTokens.map { .number(Double($0)) })
        o.put("json", json.map(JSONValue.bool))
        return .object(o)
    }
}

extension ChatUsage: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        .object(["prompt_tokens": .number(Double(promptTokens)), "completion_tokens": .number(Double(completionTokens))])
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "usage")
        self.init(promptTokens: try f.int("prompt_tokens"), completionTokens: try f.int("completion_tokens"))
    }
}

extension ChatResponse: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        .object(["provider": .string(provider), "model": .string(model), "message": message.jsonValue, "usage": usage.jsonValue,
                 "latency_ms": .number(latencyMs)])
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "chat answer")
        self.init(provider: try f.string("provider"), model: try f.string("model"), message: try f.object("message"), usage: try f.object("usage"),
                  latencyMs: try f.double("latency_ms"))
    }
}

extension IterateRequest: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = ["kind": .string(kind), "request": request.jsonValue]
        if candidateIDs == nil || !candidates.isEmpty { o["candidates"] = .array(candidates.map(\.jsonValue)) }
        o.put("candidate_ids", candidateIDs.map { .array($0.map(JSONValue.string)) })
        o.put("playbook_worker_ids", playbookWorkerIDs.map { .array($0.map(JSONValue.string)) })
        o.put("provider", provider.json)
        o.put("model", model.json)
        o.put("max_attempts", maxAttempts.map { .number(Double($0)) })
        o.put("run_id", runID.json)
        return .object(o)
    }

    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "iterate request")
        let candidateIDs = try f.optionalStrings("candidate_ids")
        // `candidates` may be left out when the candidates go by id.
        let candidates: [Worker] = candidateIDs != nil && f.fields["candidates"] == nil ? [] : try f.list("candidates")
        self.init(kind: try f.string("kind"), request: try f.object("request"), candidates: candidates, candidateIDs: candidateIDs,
                  playbookWorkerIDs: try f.optionalStrings("playbook_worker_ids"), provider: try f.optionalString("provider"),
                  model: try f.optionalString("model"), maxAttempts: try f.optionalInt("max_attempts"), runID: try f.optionalString("run_id"))
    }
}

extension FillDraftContext: JSONValueConvertible, JSONValueInitializable {
    public init(jsonValue: JSONValue) throws {
        let f = try JSONFields(jsonValue, "fill task")
        guard let task = DraftTaskKind(rawValue: try f.string("task")) else { throw f.fail("task", "not a task name") }
        self.init(task: task, request: try f.object("request"), workers: try f.list("workers"),
                  playbookWorkerIDs: try f.optionalStrings("playbook_worker_ids"), previous: f.optionalValue("previous"),
                  violations: try f.optionalList("violations"))
    }

    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = ["task": .string(task.rawValue), "request": request.jsonValue, "workers": .array(workers.map(\.jsonValue))]
        o.put("playbook_worker_ids", playbookWorkerIDs.map { .array($0.map(JSONValue.string)) })
        o.put("previous", previous)
        o.put("violations", violations.map { .array($0.map(\.jsonValue)) })
        return .object(o)
    }
}
