import Foundation

/// Why a JSON call to a peer daemon did not produce the expected answer.
public enum PeerCallError: Error, Sendable, CustomStringConvertible {
    /// The call never got an answer (down, refused, timed out, broken).
    case transport(Daemon, HTTPClientError)
    /// The peer answered with a non-2xx status; `message` is its error envelope's message when it had one.
    case status(Daemon, HTTPStatus, code: String?, message: String)
    /// The peer answered 2xx with a body that is not the expected JSON.
    case undecodable(Daemon, String)

    public var description: String {
        switch self {
        case .transport(let daemon, let error): "\(daemon.rawValue): \(error)"
        case .status(let daemon, let status, _, let message): "\(daemon.rawValue) answered \(status.code): \(message)"
        case .undecodable(let daemon, let reason): "\(daemon.rawValue) sent an unexpected answer: \(reason)"
        }
    }

    /// The answer a daemon gives its own caller when a peer failed it: a down peer is 503 naming it,
    /// a slow one 504, nonsense 502. A peer's own 503/504 is passed on with its words (it names the
    /// daemon further down that failed); a peer's 4xx is the caller's bad input and keeps its status.
    public var apiError: APIError {
        switch self {
        case .transport(let daemon, let error):
            switch error {
            case .timeout:
                return .gatewayTimeout("\(daemon.rawValue) did not answer in time: \(error)")
            case .invalidResponse, .invalidURL:
                return .badGateway("\(daemon.rawValue) gave an invalid response: \(error)")
            case .peerUnavailable, .connectTimeout, .connectionClosed, .shuttingDown:
                var failure = APIError.unavailable("\(daemon.rawValue) is unavailable: \(error)")
                failure.headers = [("Retry-After", "1")]
                return failure
            }
        case .status(let daemon, let status, let code, let message):
            if status.code == 503 || status.code == 504 || status.code == 502 {
                var failure = APIError(status: status, code: code ?? "unavailable", message: "\(daemon.rawValue): \(message)")
                if status.code == 503 { failure.headers = [("Retry-After", "1")] }
                return failure
            }
            if (400..<500).contains(status.code) {
                return APIError(status: status, code: code ?? "bad_request", message: message)
            }
            return .badGateway("\(daemon.rawValue) failed with \(status.code): \(message)")
        case .undecodable(let daemon, let reason):
            return .badGateway("\(daemon.rawValue) sent an unexpected answer: \(reason)")
        }
    }
}

extension PeerClient {
    /// POSTs (or PUTs …) `body` as JSON to a peer and decodes its 2xx answer as `Response`, both
    /// through `JSONTree` (the pull reader and writer; Foundation's coders only for what the tree
    /// coders cannot take), since these calls are the fleet's hot hops.
    public func callJSON<Body: Encodable, Response: Decodable>(
        _ daemon: Daemon, _ method: HTTPMethod = .POST, _ target: String, body: Body, as _: Response.Type = Response.self,
        requestID: String? = nil, idempotent: Bool? = nil, timeoutMs: Int? = nil
    ) async throws(PeerCallError) -> Response {
        let bytes: [UInt8]
        do {
            bytes = try JSONTree.encode(body)
        } catch {
            throw .undecodable(daemon, "request could not be encoded: \(error)")
        }
        return try await callJSON(daemon, method, target, bytes: bytes, requestID: requestID, idempotent: idempotent, timeoutMs: timeoutMs)
    }

    /// A body-less call (GET) decoded as `Response`.
    public func callJSON<Response: Decodable>(
        _ daemon: Daemon, _ method: HTTPMethod = .GET, _ target: String, as _: Response.Type = Response.self,
        requestID: String? = nil, timeoutMs: Int? = nil
    ) async throws(PeerCallError) -> Response {
        try await callJSON(daemon, method, target, bytes: [], requestID: requestID, idempotent: nil, timeoutMs: timeoutMs)
    }

    /// `callJSON` with a body already encoded as JSON.
    public func callJSON<Response: Decodable>(
        _ daemon: Daemon, _ method: HTTPMethod = .POST, _ target: String, bytes: [UInt8], as _: Response.Type = Response.self,
        requestID: String? = nil, idempotent: Bool? = nil, timeoutMs: Int? = nil
    ) async throws(PeerCallError) -> Response {
        let answer = try await callBytes(daemon, method, target, bytes: bytes, requestID: requestID, idempotent: idempotent, timeoutMs: timeoutMs)
        if let tree = JSONParsing.value(answer), let value = try? JSONValueDecoder.decode(Response.self, from: tree) { return value }
        do {
            return try JSONDecoder().decode(Response.self, from: Data(answer))
        } catch {
            throw .undecodable(daemon, "\(error)")
        }
    }

    /// Sends JSON `bytes` and returns the body of the peer's 2xx answer undecoded (for a caller
    /// that reads it with its own pull reader); anything else as a `PeerCallError`.
    public func callBytes(_ daemon: Daemon, _ method: HTTPMethod = .POST, _ target: String, bytes: [UInt8],
                          requestID: String? = nil, idempotent: Bool? = nil, timeoutMs: Int? = nil) async throws(PeerCallError) -> [UInt8] {
        let response: HTTPClientResponse
        do {
            response = try await send(daemon, method, target, body: bytes, requestID: requestID, idempotent: idempotent, timeoutMs: timeoutMs)
        } catch {
            throw .transport(daemon, error)
        }
        guard (200..<300).contains(response.status.code) else {
            let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: Data(response.body))
            throw .status(daemon, response.status, code: envelope?.error.code,
                          message: envelope?.error.message ?? String(decoding: response.body.prefix(200), as: UTF8.self))
        }
        return response.body
    }
}
