import LakehouseKit

/// One chat request, validated, whichever API it came in through (`/v1/chat` or OpenAI's
/// `/v1/chat/completions`). chatd is stricter than the shared `ChatRequest` type: roles, content
/// types, ranges and provider names are checked here, each failure a 400 naming the field.
struct ChatCall: Sendable, Equatable {
    var provider: String?
    var model: String?
    var messages: [ChatMessage]
    var temperature: Double?
    var maxTokens: Int?
    var json: Bool
    var stream: Bool
    /// OpenAI's `stream_options.include_usage`: a last chunk carrying the usage.
    var includeUsage: Bool

    struct Limits: Sendable {
        var maxMessages: Int
        var maxTokens: Int
    }

    static let roles = ["system", "user", "assistant"]
    static let temperatureRange = 0.0...2.0

    /// `POST /v1/chat` (SPEC §6). Unknown fields are refused: this is our own API.
    static func decodeNative(_ body: [UInt8], limits: Limits) throws(ChatError) -> ChatCall {
        let object = try root(body)
        let allowed: Set<String> = ["provider", "model", "messages", "temperature", "max_tokens", "json", "stream"]
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .badRequest("unknown field '\(unknown)'; expected: \(allowed.sorted().joined(separator: ", "))")
        }
        return ChatCall(
            provider: try string(object, "provider"), model: try string(object, "model"),
            messages: try messages(object["messages"], limits: limits, openAI: false),
            temperature: try temperature(object["temperature"]), maxTokens: try maxTokens(object, "max_tokens", limits: limits),
            json: try bool(object, "json") ?? false, stream: try bool(object, "stream") ?? false, includeUsage: false)
    }

    /// `POST /v1/chat/completions`, OpenAI's shape. Fields OpenAI clients send that chatd has no use
    /// for (top_p, seed, user, …) are accepted and ignored, so unchanged clients work; `provider` is
    /// an extension (`extra_body`).
    static func decodeOpenAI(_ body: [UInt8], limits: Limits) throws(ChatError) -> ChatCall {
        let object = try root(body)
        var json = false
        if let format = object["response_format"], format != .null {
            guard let type = format["type"]?.stringValue else { throw .badRequest("field 'response_format': expected an object with a string 'type'") }
            switch type {
            case "text": json = false
            case "json_object", "json_schema": json = true
            default: throw .badRequest("field 'response_format.type': expected text, json_object or json_schema")
            }
        }
        var includeUsage = false
        if let options = object["stream_options"], options != .null {
            guard let fields = options.objectValue else { throw .badRequest("field 'stream_options': expected an object") }
            if let include = fields["include_usage"] {
                guard let value = include.boolValue else { throw .badRequest("field 'stream_options.include_usage': expected a boolean") }
                includeUsage = value
            }
        }
        if let n = object["n"], n != .null, n.numberValue != 1 {
            throw .badRequest("field 'n': only 1 choice is supported")
        }
        var maxTokens = try maxTokens(object, "max_completion_tokens", limits: limits)
        if maxTokens == nil { maxTokens = try self.maxTokens(object, "max_tokens", limits: limits) }
        return ChatCall(
            provider: try string(object, "provider"), model: try string(object, "model"),
            messages: try messages(object["messages"], limits: limits, openAI: true),
            temperature: try temperature(object["temperature"]), maxTokens: maxTokens,
            json: json, stream: try bool(object, "stream") ?? false, includeUsage: includeUsage)
    }

    // MARK: Fields

    private static func root(_ body: [UInt8]) throws(ChatError) -> [String: JSONValue] {
        guard !body.isEmpty else { throw .badRequest("request body is empty; expected a JSON object") }
        let value = try WireJSON.read(body, as: ChatError.self)
        guard let object = value.objectValue else { throw .badRequest("request body must be a JSON object") }
        return object
    }

    private static func string(_ object: [String: JSONValue], _ name: String) throws(ChatError) -> String? {
        guard let value = object[name], value != .null else { return nil }
        guard let text = value.stringValue, !text.isEmpty else { throw .badRequest("field '\(name)': expected a non-empty string") }
        return text
    }

    private static func bool(_ object: [String: JSONValue], _ name: String) throws(ChatError) -> Bool? {
        guard let value = object[name], value != .null else { return nil }
        guard let flag = value.boolValue else { throw .badRequest("field '\(name)': expected a boolean") }
        return flag
    }

    private static func temperature(_ value: JSONValue?) throws(ChatError) -> Double? {
        guard let value, value != .null else { return nil }
        guard let number = value.numberValue, temperatureRange.contains(number) else {
            throw .badRequest("field 'temperature': expected a number from 0 to 2")
        }
        return number
    }

    private static func maxTokens(_ object: [String: JSONValue], _ name: String, limits: Limits) throws(ChatError) -> Int? {
        guard let value = object[name], value != .null else { return nil }
        guard let number = value.numberValue, number.rounded() == number, number >= 1, number <= Double(limits.maxTokens) else {
            throw .badRequest("field '\(name)': expected an integer from 1 to \(limits.maxTokens)")
        }
        return Int(number)
    }

    private static func messages(_ value: JSONValue?, limits: Limits, openAI: Bool) throws(ChatError) -> [ChatMessage] {
        guard let value, value != .null else { throw .badRequest("missing field 'messages'") }
        guard let list = value.arrayValue else { throw .badRequest("field 'messages': expected an array of {role, content}") }
        guard !list.isEmpty else { throw .badRequest("field 'messages': at least one message is required") }
        guard list.count <= limits.maxMessages else {
            throw .badRequest("field 'messages': \(list.count) messages; at most \(limits.maxMessages) are accepted")
        }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(list.count)
        for (index, item) in list.enumerated() {
            guard let fields = item.objectValue else { throw .badRequest("field 'messages[\(index)]': expected an object with role and content") }
            guard let role = fields["role"]?.stringValue else { throw .badRequest("field 'messages[\(index)].role': expected a string") }
            // OpenAI's newer clients call the system message "developer".
            let normalised = openAI && role == "developer" ? "system" : role
            guard roles.contains(normalised) else {
                throw .badRequest("field 'messages[\(index)].role': '\(role)' is not a role; expected one of \(roles.joined(separator: ", "))")
            }
            messages.append(ChatMessage(role: normalised, content: try content(fields["content"], index: index, openAI: openAI)))
        }
        return messages
    }

    /// A string; on the OpenAI route also a list of text parts (`[{"type":"text","text":…}]`).
    private static func content(_ value: JSONValue?, index: Int, openAI: Bool) throws(ChatError) -> String {
        if let text = value?.stringValue { return text }
        if openAI, let parts = value?.arrayValue {
            var text = ""
            for part in parts {
                guard part["type"]?.stringValue == "text", let piece = part["text"]?.stringValue else {
                    throw .badRequest("field 'messages[\(index)].content': only text parts are supported")
                }
                text += piece
            }
            return text
        }
        throw .badRequest("field 'messages[\(index)].content': expected a string")
    }
}
