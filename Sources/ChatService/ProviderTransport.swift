import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LakehouseKit
import Synchronization

/// The bytes of a streamed response body, in pieces as they arrive.
protocol ByteSource: Sendable {
    func next() async throws(ProviderFailure) -> [UInt8]?
    func cancel()
}

/// HTTP calls to model providers. `http://` (a local Ollama, the test fakes) goes through the
/// fleet's pooled client, streamed bodies included, with back-pressure; `https://` (the cloud APIs)
/// through URLSession, the only TLS stack the toolchain has.
struct ProviderTransport: Sendable {
    let client: HTTPClient

    struct Reply: Sendable {
        let status: Int
        let retryAfterSeconds: Double?
        let body: [UInt8]
    }

    /// Largest error body read from a failed streamed call.
    static let errorBodyLimit = 64 << 10

    func post(url: String, headers: [String: String], body: [UInt8], timeoutMs: Int) async throws(ProviderFailure) -> Reply {
        if url.hasPrefix("http://") {
            let response = try await sendPooled(url: url, headers: headers, body: body, timeoutMs: timeoutMs, stream: false)
            return Reply(status: response.status.code, retryAfterSeconds: ProviderTransport.retryAfter(response.headers["Retry-After"]), body: response.body)
        }
        var request = try ProviderTransport.urlRequest(url: url, headers: headers, body: body, timeoutMs: timeoutMs)
        request.httpMethod = "POST"
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = response as? HTTPURLResponse
            return Reply(status: http?.statusCode ?? 0, retryAfterSeconds: ProviderTransport.retryAfter(http?.value(forHTTPHeaderField: "Retry-After")),
                         body: Array(data))
        } catch {
            throw ProviderTransport.failure(error, timeoutMs: timeoutMs)
        }
    }

    /// Sends the request and returns once the response head is in: a non-2xx status is thrown here
    /// (with its error body), a 2xx comes back as the body's byte source.
    func postStreaming(url: String, headers: [String: String], body: [UInt8], timeoutMs: Int) async throws(ProviderFailure) -> any ByteSource {
        if url.hasPrefix("http://") {
            let response = try await sendPooled(url: url, headers: headers, body: body, timeoutMs: timeoutMs, stream: true)
            guard (200..<300).contains(response.status.code) else {
                var errorBody = response.body
                if let stream = response.bodyStream {
                    errorBody = (try? await stream.collect(limit: ProviderTransport.errorBodyLimit)) ?? []
                    stream.cancel()
                }
                throw .status(response.status.code, retryAfterSeconds: ProviderTransport.retryAfter(response.headers["Retry-After"]),
                              message: ProviderTransport.errorMessage(errorBody))
            }
            if let stream = response.bodyStream { return PooledByteSource(stream: stream) }
            return BufferedByteSource(bytes: response.body)
        }
        let request = try ProviderTransport.urlRequest(url: url, headers: headers, body: body, timeoutMs: timeoutMs)
        return try await URLSessionByteSource.start(request, timeoutMs: timeoutMs)
    }

    /// `post` for event-loop code, `http://` only: the call uses `loop`'s own connection pool and
    /// `completion` runs on `loop`.
    func postOnLoop(url: String, headers: [String: String], body: [UInt8], timeoutMs: Int, loop: EventLoop,
                    completion: @escaping @Sendable (Result<Reply, ProviderFailure>) -> Void) {
        guard let (peer, target) = try? ProviderTransport.split(url) else { return completion(.failure(.unreachable("invalid URL"))) }
        var fields = HTTPHeaders()
        for (name, value) in headers { fields.set(name, value) }
        fields.set("Content-Type", "application/json")
        client.execute(HTTPClientRequest(method: .POST, target: target, headers: fields, body: body), to: peer, on: loop, timeoutMs: timeoutMs) { result in
            switch result {
            case .success(let response):
                completion(.success(Reply(status: response.status.code, retryAfterSeconds: ProviderTransport.retryAfter(response.headers["Retry-After"]), body: response.body)))
            case .failure(let error):
                completion(.failure(ProviderTransport.failure(error, timeoutMs: timeoutMs)))
            }
        }
    }

    static func failure(_ error: HTTPClientError, timeoutMs: Int) -> ProviderFailure {
        switch error {
        case .timeout: .timedOut(milliseconds: timeoutMs)
        case .connectTimeout, .peerUnavailable, .invalidURL, .shuttingDown: .unreachable(error.description)
        case .connectionClosed: .brokeOff(error.description)
        case .invalidResponse: .invalidAnswer(error.description)
        }
    }

    private func sendPooled(url: String, headers: [String: String], body: [UInt8], timeoutMs: Int, stream: Bool) async throws(ProviderFailure) -> HTTPClientResponse {
        guard let (peer, target) = try? ProviderTransport.split(url) else { throw .unreachable("invalid URL") }
        var fields = HTTPHeaders()
        for (name, value) in headers { fields.set(name, value) }
        fields.set("Content-Type", "application/json")
        var request = HTTPClientRequest(method: .POST, target: target, headers: fields, body: body)
        request.streamResponse = stream
        do {
            return try await client.send(request, to: peer, timeoutMs: timeoutMs)
        } catch {
            throw ProviderTransport.failure(error, timeoutMs: timeoutMs)
        }
    }

    static func split(_ url: String) throws -> (SocketAddress, String) {
        guard url.hasPrefix("http://") else { throw ProviderFailure.unreachable("not http") }
        let rest = url.dropFirst(7)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = String(rest[..<slash])
        if !authority.contains(":") { authority += ":80" }
        if authority.hasPrefix("localhost:") { authority = "127.0.0.1" + authority.dropFirst(9) }
        let target = slash == rest.endIndex ? "/" : String(rest[slash...])
        return (try SocketAddress(parsing: authority), target)
    }

    private static func urlRequest(url: String, headers: [String: String], body: [UInt8], timeoutMs: Int) throws(ProviderFailure) -> URLRequest {
        guard url.hasPrefix("https://"), let endpoint = URL(string: url) else { throw .unreachable("unsupported URL") }
        var request = URLRequest(url: endpoint, timeoutInterval: Double(timeoutMs) / 1000)
        request.httpMethod = "POST"
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body)
        return request
    }

    static func failure(_ error: any Error, timeoutMs: Int) -> ProviderFailure {
        guard let error = error as? URLError else { return .brokeOff(String(describing: error)) }
        switch error.code {
        case .timedOut: return .timedOut(milliseconds: timeoutMs)
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet, .secureConnectionFailed,
             .serverCertificateUntrusted:
            return .unreachable(error.localizedDescription)
        default: return .brokeOff(error.localizedDescription)
        }
    }

    /// `Retry-After` as delay-seconds (RFC 9110 §10.2.3); an HTTP-date is not used by these APIs.
    static func retryAfter(_ value: String?) -> Double? {
        guard let value, let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0, seconds.isFinite else { return nil }
        return min(seconds, 3600)
    }

    /// The human part of a provider's error body: OpenAI's `{"error":{"message"}}`, Ollama's
    /// `{"error":"…"}`, else the first 200 bytes of text.
    static func errorMessage(_ body: [UInt8]) -> String {
        if let value = try? JSONCoding.decode(JSONValue.self, from: body) {
            if let message = value["error"]?["message"]?.stringValue { return String(message.prefix(300)) }
            if let message = value["error"]?.stringValue { return String(message.prefix(300)) }
            if let message = value["message"]?.stringValue { return String(message.prefix(300)) }
        }
        return String(String(decoding: body.prefix(200), as: UTF8.self).filter { !$0.isNewline })
    }
}

/// A streamed body from the pooled client.
struct PooledByteSource: ByteSource {
    let stream: RequestBodyStream

    func next() async throws(ProviderFailure) -> [UInt8]? {
        var iterator = stream.makeAsyncIterator()
        do {
            return try await iterator.next()
        } catch let error as HTTPClientError {
            if case .timeout(_, let ms) = error { throw .timedOut(milliseconds: ms) }
            throw .brokeOff(error.description)
        } catch {
            throw .brokeOff(String(describing: error))
        }
    }

    func cancel() { stream.cancel() }
}

/// A whole body handed out as one piece (a provider that answered a stream request unstreamed).
final class BufferedByteSource: ByteSource {
    private let bytes: Mutex<[UInt8]?>
    init(bytes: [UInt8]) { self.bytes = Mutex(bytes) }
    func next() async throws(ProviderFailure) -> [UInt8]? { bytes.withLock { value in defer { value = nil }; return value } }
    func cancel() { bytes.withLock { $0 = nil } }
}

/// A streamed HTTPS body through URLSession's delegate callbacks. URLSession offers no
/// back-pressure here: a reader slower than the provider lets the pieces queue (a model's output
/// rate is far below any client's, so this stays small in practice).
final class URLSessionByteSource: NSObject, ByteSource, URLSessionDataDelegate, @unchecked Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var finished = false
        var failure: ProviderFailure?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var head: CheckedContinuation<Void, any Error>?
        var status = 0
        var retryAfter: Double?
        var headDelivered = false
    }

    private let state = Mutex(State())
    private let timeoutMs: Int
    private var session: URLSession?
    private var task: URLSessionDataTask?

    private init(timeoutMs: Int) {
        self.timeoutMs = timeoutMs
    }

    static func start(_ request: URLRequest, timeoutMs: Int) async throws(ProviderFailure) -> URLSessionByteSource {
        let source = URLSessionByteSource(timeoutMs: timeoutMs)
        let session = URLSession(configuration: .default, delegate: source, delegateQueue: nil)
        source.session = session
        let task = session.dataTask(with: request)
        source.task = task
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                source.state.withLock { $0.head = continuation }
                task.resume()
            }
        } catch let failure as ProviderFailure {
            throw failure
        } catch {
            throw ProviderTransport.failure(error, timeoutMs: timeoutMs)
        }
        let (status, retryAfter) = source.state.withLock { ($0.status, $0.retryAfter) }
        if !(200..<300).contains(status) {
            var body: [UInt8] = []
            while body.count < ProviderTransport.errorBodyLimit, let piece = try? await source.next() { body += piece }
            source.cancel()
            throw .status(status, retryAfterSeconds: retryAfter, message: ProviderTransport.errorMessage(body))
        }
        return source
    }

    func next() async throws(ProviderFailure) -> [UInt8]? {
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                let ready = state.withLock { state -> Result<[UInt8]?, any Error>? in
                    if !state.chunks.isEmpty { return .success(state.chunks.removeFirst()) }
                    if let failure = state.failure { return .failure(failure) }
                    if state.finished { return .success(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } catch let failure as ProviderFailure {
            throw failure
        } catch {
            throw .brokeOff(String(describing: error))
        }
    }

    func cancel() {
        task?.cancel()
        session?.invalidateAndCancel()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        let head = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.status = http?.statusCode ?? 0
            state.retryAfter = ProviderTransport.retryAfter(http?.value(forHTTPHeaderField: "Retry-After"))
            state.headDelivered = true
            defer { state.head = nil }
            return state.head
        }
        head?.resume()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.chunks.append(Array(data))
            return nil
        }
        waiter?.resume(returning: Array(data))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let failure = error.map { ProviderTransport.failure($0, timeoutMs: timeoutMs) }
        let (head, waiter) = state.withLock { state -> (CheckedContinuation<Void, any Error>?, CheckedContinuation<[UInt8]?, any Error>?) in
            state.finished = true
            state.failure = failure
            defer { state.head = nil; state.waiter = nil }
            return (state.head, state.waiter)
        }
        if let head { head.resume(throwing: failure ?? .brokeOff("no response")) }
        if let waiter {
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume(returning: nil) }
        }
        session.finishTasksAndInvalidate()
    }
}
