import LakehouseKit

/// What differs between providers' wire protocols: how a request is written, how an answer and
/// a streamed line are read.
protocol ChatWire: Sendable {
    associatedtype LineDecoder: StreamLineDecoder
    static func requestBody(_ call: ChatCall, model: String, stream: Bool) -> [UInt8]
    static func completion(from body: [UInt8]) throws(ProviderFailure) -> ChatCompletion
    static func lineDecoder() -> LineDecoder
}

/// A provider reached over HTTP: its configuration (URL, key, model, timeout, headers) and its
/// wire protocol. The key goes out only in the `Authorization` header and is blanked out of any
/// message that comes back.
struct RemoteChatProvider<Wire: ChatWire>: ChatProvider {
    let config: RemoteProviderConfig
    let transport: ProviderTransport

    var name: String { config.name }
    var defaultModel: String { config.model }

    private var headers: [String: String] {
        var headers = config.extraHeaders
        if let key = config.apiKey { headers["Authorization"] = "Bearer \(key)" }
        return headers
    }

    func complete(_ call: ChatCall, model: String) async throws(ProviderFailure) -> ChatCompletion {
        do throws(ProviderFailure) {
            let reply = try await transport.post(url: config.chatURL, headers: headers, body: Wire.requestBody(call, model: model, stream: false),
                                                 timeoutMs: config.timeoutMs)
            guard (200..<300).contains(reply.status) else {
                throw ProviderFailure.status(reply.status, retryAfterSeconds: reply.retryAfterSeconds, message: ProviderTransport.errorMessage(reply.body))
            }
            return try Wire.completion(from: reply.body)
        } catch {
            throw error.redacting(config.apiKey)
        }
    }

    func stream(_ call: ChatCall, model: String) async throws(ProviderFailure) -> any ChatEventStream {
        let source: any ByteSource
        do throws(ProviderFailure) {
            source = try await transport.postStreaming(url: config.chatURL, headers: headers, body: Wire.requestBody(call, model: model, stream: true),
                                                       timeoutMs: config.timeoutMs)
        } catch {
            throw error.redacting(config.apiKey)
        }
        let key = config.apiKey
        return ProviderEventStream(source: source, decoder: Wire.lineDecoder()) { $0.redacting(key) }
    }
}

extension RemoteChatProvider: LoopCallableProvider {
    var canCallOnLoop: Bool { config.chatURL.hasPrefix("http://") }

    func completeOnLoop(_ call: ChatCall, model: String, loop: EventLoop, completion: @escaping @Sendable (Result<ChatCompletion, ProviderFailure>) -> Void) {
        let key = config.apiKey
        transport.postOnLoop(url: config.chatURL, headers: headers, body: Wire.requestBody(call, model: model, stream: false), timeoutMs: config.timeoutMs,
                             loop: loop) { result in
            completion(result.flatMap { reply in
                guard (200..<300).contains(reply.status) else {
                    return .failure(ProviderFailure.status(reply.status, retryAfterSeconds: reply.retryAfterSeconds, message: ProviderTransport.errorMessage(reply.body)))
                }
                do throws(ProviderFailure) {
                    return .success(try Wire.completion(from: reply.body))
                } catch {
                    return .failure(error)
                }
            }.mapError { $0.redacting(key) })
        }
    }
}

extension JSONValue {
    /// Whole numbers as Int (token counts).
    var intValue: Int? {
        guard let number = numberValue, number.rounded() == number, abs(number) < 1e15 else { return nil }
        return Int(number)
    }
}

extension ProviderFailure: JSONReaderFailure {
    static func syntax(_ message: String) -> ProviderFailure { .invalidAnswer("not JSON: \(message)") }
}

/// JSON in and out on the hot path with LakehouseKit's pull reader and direct writer (keys sorted,
/// so the same value always gives the same bytes) instead of Foundation's coders.
enum WireJSON {
    static func parse(_ bytes: [UInt8]) throws(ProviderFailure) -> JSONValue {
        let value = try read(bytes, as: ProviderFailure.self)
        guard value.objectValue != nil else { throw .invalidAnswer("not a JSON object: \(String(decoding: bytes.prefix(120), as: UTF8.self))") }
        return value
    }

    static func read<Failure: JSONReaderFailure>(_ bytes: [UInt8], as: Failure.Type) throws(Failure) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw -> Result<JSONValue, Failure> in
            var reader = JSONReader<Failure>(raw)
            do throws(Failure) {
                let value = try reader.readValue()
                try reader.expectEnd()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func messages(_ messages: [ChatMessage]) -> JSONValue {
        .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) })
    }

    static func encode(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.value(value)
        return writer.bytes
    }
}
