import Foundation

/// A response as handlers produce it. `Content-Length`, `Connection`, `Date` and `X-Request-Id` are
/// added by the server when it writes the response.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// A body written while the handler runs (server-sent events, relayed streams); when set, `body`
    /// is ignored and the response goes out with `Transfer-Encoding: chunked`, chunk by chunk.
    public var bodyStream: ResponseBodyStream?

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is written later, through `stream` (see `ResponseBodyStream`).
    public static func streaming(_ stream: ResponseBodyStream, status: HTTPStatus = .ok, contentType: String) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: ["Content-Type": contentType])
        response.bodyStream = stream
        return response
    }

    /// A JSON response from an Encodable value.
    public static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok) -> HTTPResponse {
        do {
            return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: try JSONCoding.encode(value))
        } catch {
            return .error(APIError.internal("response encoding failed: \(error)"), requestID: "")
        }
    }

    /// A JSON response from bytes that already are JSON (e.g. assembled by a hot path, or forwarded).
    public static func json(bytes: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: bytes)
    }

    public static func text(_ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// The uniform error envelope `{"error":{"code","message","request_id"}}` (SPEC §4).
    public static func error(_ error: APIError, requestID: String) -> HTTPResponse {
        var response = HTTPResponse.json(ErrorEnvelope(error: .init(code: error.code, message: error.message, request_id: requestID)), status: error.status)
        for (name, value) in error.headers { response.headers.set(name, value) }
        return response
    }
}

/// Wire shape of every non-2xx body.
public struct ErrorEnvelope: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public let code: String
        public let message: String
        public let request_id: String
    }
    public let error: Body
}
