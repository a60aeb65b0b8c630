/// The protocol version of a message; only HTTP/1.0 and HTTP/1.1 are spoken here.
public struct HTTPVersion: Hashable, Sendable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    public var description: String { "HTTP/\(major).\(minor)" }
}

/// How a message body is delimited (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
}

/// Request line and header fields, as parsed, before any body.
public struct HTTPRequestHead: Sendable {
    public var method: HTTPMethod
    /// The request-target as sent (origin-form `/path?query` for everything we serve).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var framing: BodyFraming
    /// The client sent `Expect: 100-continue` and waits before sending the body.
    public var expectsContinue: Bool
    /// The route streams this body: it arrives as `.bodyChunk` events, not in `.request`.
    public var streamsBody = false

    /// HTTP/1.1 keeps connections open unless told `close`; HTTP/1.0 closes unless told `keep-alive`.
    public var keepAlive: Bool {
        if version == .http1_1 { return !headers.hasToken("close", in: "Connection") }
        return headers.hasToken("keep-alive", in: "Connection")
    }
}
