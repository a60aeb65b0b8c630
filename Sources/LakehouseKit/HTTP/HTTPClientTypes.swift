/// A request to a peer daemon. `target` is origin-form (`/v1/embed?x=1`).
public struct HTTPClientRequest: Sendable {
    public var method: HTTPMethod
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whether a connection-level failure may be retried on a fresh connection. Defaults to the
    /// method's idempotency (RFC 9110 §9.2.2); a caller that knows a POST is safe to repeat may say so.
    public var idempotent: Bool
    /// Deliver a chunked or close-delimited response body as it arrives, through the response's
    /// `bodyStream`, instead of after it is complete (server-sent events, NDJSON streams). The
    /// request timeout then bounds the wait for the head and for each next piece of the body.
    public var streamResponse = false

    public init(method: HTTPMethod, target: String, headers: HTTPHeaders = [:], body: [UInt8] = [], idempotent: Bool? = nil) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.idempotent = idempotent ?? method.isIdempotent
    }
}

public struct HTTPClientResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// With `HTTPClientRequest.streamResponse`, a chunked or close-delimited body arrives here
    /// (and `body` is empty). Iterate it to the end, or `cancel()` it to drop the connection.
    public var bodyStream: RequestBodyStream?

    public init(status: HTTPStatus, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why a call to a peer failed, typed so callers can answer 503 / 504 / 502 precisely.
public enum HTTPClientError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Nothing listens there, or the connection was refused/reset before we could send.
    case peerUnavailable(peer: String, reason: String)
    case connectTimeout(peer: String)
    /// No complete response within the request timeout.
    case timeout(peer: String, milliseconds: Int)
    /// The peer closed the connection mid-response.
    case connectionClosed(peer: String)
    case invalidResponse(peer: String, reason: String)
    case invalidURL(String)
    case shuttingDown

    public var description: String {
        switch self {
        case .peerUnavailable(let peer, let reason): "\(peer) is unavailable: \(reason)"
        case .connectTimeout(let peer): "connecting to \(peer) timed out"
        case .timeout(let peer, let ms): "\(peer) did not answer within \(ms) ms"
        case .connectionClosed(let peer): "\(peer) closed the connection before answering"
        case .invalidResponse(let peer, let reason): "\(peer) sent an invalid response: \(reason)"
        case .invalidURL(let url): "invalid URL '\(url)'"
        case .shuttingDown: "the HTTP client is shutting down"
        }
    }

    /// Failures where the peer is down or unreachable (→ 503 at the gateway).
    public var isPeerDown: Bool {
        switch self {
        case .peerUnavailable, .connectTimeout, .connectionClosed: true
        default: false
        }
    }
}
