import Foundation
import LakehouseKit

/// How a remote provider is spoken to.
public enum ChatWireProtocol: String, Sendable {
    /// Ollama's native `POST /api/chat` (NDJSON stream).
    case ollama
    /// OpenAI's `POST /v1/chat/completions` (server-sent events stream).
    case openAI = "openai"
}

/// One remote provider as configured: where it is, its key (never printed), its default model.
public struct RemoteProviderConfig: Sendable, Equatable {
    public let name: String
    public let wire: ChatWireProtocol
    public let baseURL: String
    public let apiKey: String?
    public let model: String
    public let timeoutMs: Int
    /// Extra request headers (OpenRouter's `HTTP-Referer` / `X-Title`).
    public let extraHeaders: [String: String]
    /// Whether calls need `apiKey` (cloud APIs); a local Ollama does not.
    public let requiresKey: Bool

    /// Usable as configured: a provider that needs a key has one.
    public var isUsable: Bool { !requiresKey || apiKey != nil }
    /// The variable that holds its key.
    public var keyVariable: String { ChatConfig.variable(name, "API_KEY") }

    /// The URL of a chat call: `<base>/api/chat` or `<base>/v1/chat/completions`.
    public var chatURL: String { baseURL + (wire == .ollama ? "/api/chat" : "/v1/chat/completions") }
}

/// Every `CHATD_*` variable, parsed and validated in one place. Empty values count as unset; an
/// unknown `CHATD_*` name is an error so a typo is never silently ignored.
///
/// | variable | default | meaning |
/// | --- | --- | --- |
/// | `CHATD_FALLBACK` | `local` | provider order for a request that names none; a named one starts there and continues down this list |
/// | `CHATD_<P>_BASE_URL` / `_API_KEY` / `_MODEL` / `_TIMEOUT_MS` | see `defaults` | per remote provider P ∈ OLLAMA, OLLAMA_CLOUD, OPENROUTER, KIMI, OPENCODE |
/// | `CHATD_OPENROUTER_REFERER` / `CHATD_OPENROUTER_TITLE` | project URL / `Lakehouse` | OpenRouter's attribution headers |
/// | `CHATD_RETRIES` | 1 | extra attempts on one provider after a timeout, connect error or 5xx (0…5) |
/// | `CHATD_RETRY_BACKOFF_MS` | 50 | wait before a retry, times the attempt number |
/// | `CHATD_COOLDOWN_FAILURES` / `_WINDOW_S` / `CHATD_COOLDOWN_S` | 3 / 60 / 30 | N failures within the window → skipped for the cooldown |
/// | `CHATD_LOCAL_FLAW_RATE` | 0.25 | share of the local drafter's first drafts that carry one deliberate mistake |
/// | `CHATD_MAX_MESSAGES` | 256 | most messages in one request |
/// | `CHATD_MAX_TOKENS_LIMIT` | 131072 | largest `max_tokens` accepted |
public struct ChatConfig: Sendable, Equatable {
    /// Names in the order `/v1/providers` lists them.
    public static let remoteNames = ["ollama", "ollama_cloud", "openrouter", "kimi", "opencode"]
    public static let localName = "local"
    public static var knownNames: [String] { remoteNames + [localName] }

    struct Defaults {
        let wire: ChatWireProtocol
        let baseURL: String
        let model: String
        let requiresKey: Bool
    }

    static let defaults: [String: Defaults] = [
        "ollama": Defaults(wire: .ollama, baseURL: "http://127.0.0.1:11434", model: "llama3.1:8b", requiresKey: false),
        "ollama_cloud": Defaults(wire: .ollama, baseURL: "https://ollama.com", model: "gpt-oss:120b", requiresKey: true),
        "openrouter": Defaults(wire: .openAI, baseURL: "https://openrouter.ai/api", model: "openai/gpt-4o-mini", requiresKey: true),
        "kimi": Defaults(wire: .openAI, baseURL: "https://api.moonshot.ai", model: "kimi-k2-0905-preview", requiresKey: true),
        "opencode": Defaults(wire: .openAI, baseURL: "https://opencode.ai/zen", model: "qwen3-coder", requiresKey: true),
    ]
    public static let defaultTimeoutMs = 60_000
    public static let defaultOpenRouterReferer = "https://github.com/lakehouse-staffing/lakehouse"
    public static let defaultOpenRouterTitle = "Lakehouse"

    public static func variable(_ provider: String, _ suffix: String) -> String { "CHATD_\(provider.uppercased())_\(suffix)" }

    public static var variables: [String] {
        var names = ["CHATD_FALLBACK", "CHATD_RETRIES", "CHATD_RETRY_BACKOFF_MS", "CHATD_COOLDOWN_FAILURES", "CHATD_COOLDOWN_WINDOW_S",
                     "CHATD_COOLDOWN_S", "CHATD_LOCAL_FLAW_RATE", "CHATD_MAX_MESSAGES", "CHATD_MAX_TOKENS_LIMIT",
                     "CHATD_OPENROUTER_REFERER", "CHATD_OPENROUTER_TITLE"]
        for name in remoteNames {
            names += ["BASE_URL", "API_KEY", "MODEL", "TIMEOUT_MS"].map { variable(name, $0) }
        }
        return names
    }

    public var remotes: [String: RemoteProviderConfig]
    public var fallback: [String]
    public var retries: Int
    public var retryBackoffMs: Int
    public var cooldownFailures: Int
    public var cooldownWindowSeconds: Double
    public var cooldownSeconds: Double
    public var localFlawRate: Double
    public var maxMessages: Int
    public var maxTokensLimit: Int

    public init(environment values: [String: String]) throws(ConfigError) {
        let environment = Environment(values)
        if let unknown = values.keys.filter({ $0.hasPrefix("CHATD_") && !(values[$0] ?? "").isEmpty }).sorted()
            .first(where: { !ChatConfig.variables.contains($0) }) {
            throw ConfigError("\(unknown) is not a chatd variable; known: \(ChatConfig.variables.joined(separator: ", "))")
        }
        var remotes: [String: RemoteProviderConfig] = [:]
        for name in ChatConfig.remoteNames {
            let defaults = ChatConfig.defaults[name]!
            let urlVariable = ChatConfig.variable(name, "BASE_URL")
            let baseURL = try ChatConfig.url(environment[urlVariable] ?? defaults.baseURL, variable: urlVariable)
            var headers: [String: String] = [:]
            if name == "openrouter" {
                headers["HTTP-Referer"] = environment.string("CHATD_OPENROUTER_REFERER", default: ChatConfig.defaultOpenRouterReferer)
                headers["X-Title"] = environment.string("CHATD_OPENROUTER_TITLE", default: ChatConfig.defaultOpenRouterTitle)
            }
            remotes[name] = RemoteProviderConfig(
                name: name, wire: defaults.wire, baseURL: baseURL, apiKey: environment[ChatConfig.variable(name, "API_KEY")],
                model: environment.string(ChatConfig.variable(name, "MODEL"), default: defaults.model),
                timeoutMs: try environment.int(ChatConfig.variable(name, "TIMEOUT_MS"), default: ChatConfig.defaultTimeoutMs, in: 1...600_000),
                extraHeaders: headers, requiresKey: defaults.requiresKey)
        }
        self.remotes = remotes

        let chain = environment.list("CHATD_FALLBACK")
        fallback = chain.isEmpty ? [ChatConfig.localName] : chain
        var seen: Set<String> = []
        for name in fallback {
            guard ChatConfig.knownNames.contains(name) else {
                throw ConfigError("CHATD_FALLBACK names unknown provider '\(name)'; known: \(ChatConfig.knownNames.joined(separator: ", "))")
            }
            guard seen.insert(name).inserted else { throw ConfigError("CHATD_FALLBACK names '\(name)' twice") }
            if let remote = remotes[name], !remote.isUsable {
                throw ConfigError("CHATD_FALLBACK names '\(name)', which needs a key: set \(remote.keyVariable)")
            }
        }
        retries = try environment.int("CHATD_RETRIES", default: 1, in: 0...5)
        retryBackoffMs = try environment.int("CHATD_RETRY_BACKOFF_MS", default: 50, in: 0...10_000)
        cooldownFailures = try environment.int("CHATD_COOLDOWN_FAILURES", default: 3, in: 1...1000)
        cooldownWindowSeconds = try ChatConfig.number(environment, "CHATD_COOLDOWN_WINDOW_S", default: 60, in: 0.001...86_400)
        cooldownSeconds = try ChatConfig.number(environment, "CHATD_COOLDOWN_S", default: 30, in: 0...86_400)
        localFlawRate = try ChatConfig.number(environment, "CHATD_LOCAL_FLAW_RATE", default: 0.25, in: 0...1)
        maxMessages = try environment.int("CHATD_MAX_MESSAGES", default: 256, in: 1...100_000)
        maxTokensLimit = try environment.int("CHATD_MAX_TOKENS_LIMIT", default: 131_072, in: 1...10_000_000)
    }

    private static func number(_ environment: Environment, _ name: String, default fallback: Double, in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let text = environment[name] else { return fallback }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, range.contains(value) else {
            throw ConfigError("\(name)=\(text) is invalid: expected a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A provider base URL: http or https, a host, no query or fragment, and no API path (chatd
    /// appends the protocol's own path).
    private static func url(_ raw: String, variable: String) throws(ConfigError) -> String {
        let trimmed = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        guard let parsed = URLComponents(string: trimmed), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
              let host = parsed.host, !host.isEmpty, parsed.query == nil, parsed.fragment == nil, !trimmed.contains(" ")
        else {
            throw ConfigError("\(variable)=\(raw) is invalid: expected an http:// or https:// URL with a host")
        }
        if ["/v1", "/api/chat", "/chat/completions"].contains(where: { parsed.path.hasSuffix($0) }) {
            throw ConfigError("\(variable)=\(raw) is invalid: give the base URL only; chatd appends /v1/chat/completions or /api/chat")
        }
        return trimmed
    }
}
