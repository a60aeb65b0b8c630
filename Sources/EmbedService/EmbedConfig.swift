import Foundation

/// Every `EMBEDD_*` variable, parsed and validated in one place (SPEC §4: bad config exits non-zero
/// with one clear line). An empty value counts as unset, so `EMBEDD_API_KEY=` in an env file is
/// harmless; an unknown `EMBEDD_*` name is an error, so a typo cannot be silently ignored.
///
/// | variable | default | accepted |
/// | --- | --- | --- |
/// | `EMBEDD_PROVIDER` | `hash` | `hash`, `minilm`, `ollama`, `openai` |
/// | `EMBEDD_DIMS` | 384 | 1…4096; hash: vector size; openai: sent as `dimensions`; not with ollama or minilm |
/// | `EMBEDD_MODEL` | hash: `hash-<dims>`; minilm: `all-minilm-l6-v2`; ollama: `nomic-embed-text`; openai: `text-embedding-3-small` | hash: only `hash-<dims>`; minilm: only `all-minilm-l6-v2` |
/// | `EMBEDD_MODEL_DIR` | `$LAKEHOUSE_DATA_DIR/embedd/all-minilm-l6-v2` | minilm: the sentence-transformers model directory |
/// | `EMBEDD_THREADS` | the CPU count | 1…256; minilm: threads per matrix product |
/// | `EMBEDD_BASE_URL` | ollama: `http://127.0.0.1:11434`; openai: `https://api.openai.com` | `http://` or `https://` URL, no path `/v1` |
/// | `EMBEDD_API_KEY` | — | required for openai; sent as a bearer token to ollama when set |
/// | `EMBEDD_CACHE_BYTES` | 256 MiB | 0 (off) … 1 TiB; suffixes `KiB`, `MiB`, `GiB` (or `K`, `M`, `G`) |
/// | `EMBEDD_MAX_BATCH` | 64 | 1…4096 texts per provider call |
/// | `EMBEDD_MAX_TEXTS` | 2048 | 1…100000 texts per request |
/// | `EMBEDD_MAX_TEXT_BYTES` | 65536 | 1…16 MiB per text |
/// | `EMBEDD_TIMEOUT_MS` | 30000 | 1…600000, per provider call |
public struct EmbedConfig: Sendable, Equatable {
    public enum Provider: String, Sendable, CaseIterable {
        case hash, minilm, ollama, openai
    }

    public static let variables = [
        "EMBEDD_PROVIDER", "EMBEDD_DIMS", "EMBEDD_MODEL", "EMBEDD_BASE_URL", "EMBEDD_API_KEY", "EMBEDD_CACHE_BYTES",
        "EMBEDD_MAX_BATCH", "EMBEDD_MAX_TEXTS", "EMBEDD_MAX_TEXT_BYTES", "EMBEDD_TIMEOUT_MS", "EMBEDD_MODEL_DIR", "EMBEDD_THREADS",
    ]
    public static let defaultCacheBytes = 256 * 1024 * 1024
    public static let defaultMaxBatch = 64
    public static let defaultTimeoutMilliseconds = 30_000

    public var provider: Provider
    /// hash: the vector size. openai: the `dimensions` to request, nil to let the model decide.
    /// ollama: always nil (the model decides).
    public var dims: Int?
    public var model: String
    /// nil for hash.
    public var baseURL: String?
    public var apiKey: String?
    public var cacheBytes: Int
    public var maxBatch: Int
    public var limits: EmbedLimits
    public var timeout: Duration
    /// minilm: the model directory (nil for the other providers).
    public var modelDirectory: String?
    /// minilm: threads per matrix product.
    public var threads: Int

    /// Reads the configuration from `environment` (typically `ProcessInfo.processInfo.environment`).
    public init(environment: [String: String]) throws(EmbedConfigError) {
        let env = environment.filter { $0.key.hasPrefix("EMBEDD_") && !$0.value.isEmpty }
        if let unknown = env.keys.sorted().first(where: { !Self.variables.contains($0) }) {
            throw EmbedConfigError(unknown, "unknown variable; known: \(Self.variables.joined(separator: ", "))")
        }

        if let raw = env["EMBEDD_PROVIDER"] {
            guard let provider = Provider(rawValue: raw) else {
                throw EmbedConfigError("EMBEDD_PROVIDER", raw, "expected one of hash, minilm, ollama, openai")
            }
            self.provider = provider
        } else {
            provider = .hash
        }

        let explicitDims = try Self.integer(env, "EMBEDD_DIMS", in: HashEmbedder.dimsRange)
        switch provider {
        case .hash:
            var dims = explicitDims ?? HashEmbedder.defaultDims
            if let model = env["EMBEDD_MODEL"] {
                // The hash model's name is its size: hash-256 alone is enough to pick 256 dimensions.
                guard model.hasPrefix("hash-"), let modelDims = Int(model.dropFirst(5)),
                    HashEmbedder.dimsRange.contains(modelDims)
                else {
                    throw EmbedConfigError("EMBEDD_MODEL", model, "the hash provider's model is hash-<dims>, e.g. hash-384")
                }
                if let explicitDims, explicitDims != modelDims {
                    throw EmbedConfigError("EMBEDD_MODEL", model, "disagrees with EMBEDD_DIMS=\(explicitDims); set one of them")
                }
                dims = modelDims
            }
            self.dims = dims
            model = HashEmbedProvider.modelName(dims: dims)
            baseURL = nil
        case .minilm:
            if let explicitDims {
                throw EmbedConfigError(
                    "EMBEDD_DIMS", String(explicitDims), "not supported with EMBEDD_PROVIDER=minilm (the model has 384); unset it")
            }
            if let model = env["EMBEDD_MODEL"], model != MiniLMEmbedProvider.modelName {
                throw EmbedConfigError("EMBEDD_MODEL", model, "the minilm provider's model is \(MiniLMEmbedProvider.modelName)")
            }
            dims = nil
            model = MiniLMEmbedProvider.modelName
            baseURL = nil
        case .ollama:
            if let explicitDims {
                throw EmbedConfigError(
                    "EMBEDD_DIMS", String(explicitDims), "not supported with EMBEDD_PROVIDER=ollama (the model decides); unset it")
            }
            dims = nil
            model = env["EMBEDD_MODEL"] ?? OllamaEmbedProvider.defaultModelName
            baseURL = try Self.url(env["EMBEDD_BASE_URL"] ?? OllamaEmbedProvider.defaultBaseURL)
        case .openai:
            dims = explicitDims
            model = env["EMBEDD_MODEL"] ?? OpenAIEmbedProvider.defaultModelName
            let url = try Self.url(env["EMBEDD_BASE_URL"] ?? OpenAIEmbedProvider.defaultBaseURL)
            if url.hasSuffix("/v1") {
                throw EmbedConfigError("EMBEDD_BASE_URL", url, "leave out /v1: the provider calls <base>/v1/embeddings")
            }
            baseURL = url
        }

        apiKey = env["EMBEDD_API_KEY"]
        if provider == .openai && apiKey == nil {
            throw EmbedConfigError("EMBEDD_API_KEY is required with EMBEDD_PROVIDER=openai")
        }

        cacheBytes = try Self.byteSize(env, "EMBEDD_CACHE_BYTES") ?? Self.defaultCacheBytes
        maxBatch = try Self.integer(env, "EMBEDD_MAX_BATCH", in: 1...4096) ?? Self.defaultMaxBatch
        limits = EmbedLimits(
            maxTexts: try Self.integer(env, "EMBEDD_MAX_TEXTS", in: 1...100_000) ?? EmbedLimits.defaultMaxTexts,
            maxTextBytes: try Self.integer(env, "EMBEDD_MAX_TEXT_BYTES", in: 1...(16 << 20)) ?? EmbedLimits.defaultMaxTextBytes)
        let timeoutMilliseconds = try Self.integer(env, "EMBEDD_TIMEOUT_MS", in: 1...600_000) ?? Self.defaultTimeoutMilliseconds
        timeout = .milliseconds(timeoutMilliseconds)
        threads = try Self.integer(env, "EMBEDD_THREADS", in: 1...256) ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        if provider == .minilm {
            let dataDirectory = environment["LAKEHOUSE_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./data"
            modelDirectory = env["EMBEDD_MODEL_DIR"] ?? dataDirectory + "/embedd/" + MiniLMEmbedProvider.modelName
        }
    }

    /// The configured provider, loading the model for minilm: a missing or bad model file is an
    /// error naming `EMBEDD_MODEL_DIR` and the file. `transport` carries the network providers' calls.
    public func loadProvider(transport: any EmbedTransport) throws(EmbedConfigError) -> any EmbeddingProvider {
        provider == .minilm ? try loadMiniLM() : makeProvider(transport: transport)
    }

    private func loadMiniLM() throws(EmbedConfigError) -> MiniLMEmbedProvider {
        let directory = modelDirectory ?? "."
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EmbedConfigError(
                "EMBEDD_MODEL_DIR", directory, "no such directory (it must hold \(MiniLMEmbedProvider.files.joined(separator: ", ")))")
        }
        do {
            return try MiniLMEmbedProvider(directory: directory, threads: threads)
        } catch {
            throw EmbedConfigError("EMBEDD_MODEL_DIR", error.description)
        }
    }

    /// The configured provider; `transport` carries the network providers' calls. For minilm this
    /// loads the model and, if that fails, returns a provider whose every call fails with the
    /// reason (embedd itself uses `loadProvider`, which refuses to start instead).
    public func makeProvider(transport: any EmbedTransport) -> any EmbeddingProvider {
        switch provider {
        case .hash:
            HashEmbedProvider(dims: dims ?? HashEmbedder.defaultDims)
        case .minilm:
            Self.orUnloaded { () throws(EmbedConfigError) in try loadMiniLM() }
        case .ollama:
            OllamaEmbedProvider(
                baseURL: baseURL ?? OllamaEmbedProvider.defaultBaseURL, defaultModel: model, apiKey: apiKey, timeout: timeout,
                transport: transport)
        case .openai:
            OpenAIEmbedProvider(
                baseURL: baseURL ?? OpenAIEmbedProvider.defaultBaseURL, defaultModel: model, apiKey: apiKey ?? "",
                dimensions: dims, timeout: timeout, transport: transport)
        }
    }

    private static func orUnloaded(_ load: () throws(EmbedConfigError) -> MiniLMEmbedProvider) -> any EmbeddingProvider {
        do {
            return try load()
        } catch {
            return UnloadedEmbedProvider(name: "minilm", model: MiniLMEmbedProvider.modelName, reason: error.description)
        }
    }

    // MARK: - Parsing

    private static func integer(_ env: [String: String], _ name: String, in range: ClosedRange<Int>) throws(EmbedConfigError)
        -> Int?
    {
        guard let raw = env[name] else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw EmbedConfigError(name, raw, "expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    private static func byteSize(_ env: [String: String], _ name: String) throws(EmbedConfigError) -> Int? {
        guard let raw = env[name] else { return nil }
        let units: [(suffix: String, factor: Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30),
        ]
        var digits = Substring(raw)
        var factor = 1
        if let unit = units.first(where: { raw.lowercased().hasSuffix($0.suffix.lowercased()) }) {
            digits = raw.dropLast(unit.suffix.count)
            factor = unit.factor
        }
        let limit = 1 << 40
        guard let count = Int(digits), count >= 0, count <= limit / factor else {
            throw EmbedConfigError(name, raw, "expected a byte count from 0 (off) to 1TiB, e.g. 268435456 or 256MiB")
        }
        return count * factor
    }

    private static func url(_ raw: String) throws(EmbedConfigError) -> String {
        let url = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        let afterScheme: Substring
        if url.hasPrefix("http://") {
            afterScheme = url.dropFirst(7)
        } else if url.hasPrefix("https://") {
            afterScheme = url.dropFirst(8)
        } else {
            throw EmbedConfigError("EMBEDD_BASE_URL", raw, "expected an http:// or https:// URL")
        }
        guard !afterScheme.isEmpty, !afterScheme.hasPrefix("/"), !url.contains(where: { $0 == " " || $0 == "?" || $0 == "#" })
        else {
            throw EmbedConfigError("EMBEDD_BASE_URL", raw, "expected an http:// or https:// URL with a host")
        }
        return url
    }
}

/// A configuration problem, as the one line the daemon prints before exiting non-zero.
public struct EmbedConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The variable at fault.
    public let variable: String
    public let description: String

    init(_ variable: String, _ value: String, _ expectation: String) {
        self.variable = variable
        self.description = "\(variable)=\(value): \(expectation)"
    }

    init(_ variable: String, _ problem: String) {
        self.variable = variable
        self.description = "\(variable): \(problem)"
    }

    /// A sentence that already names its variable first.
    init(_ sentence: String) {
        self.variable = String(sentence.prefix { $0 != " " })
        self.description = sentence
    }
}
