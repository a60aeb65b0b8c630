/// The one error type handlers throw to answer with a non-2xx status. Domains define their own
/// errors and map them to this in one place each.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public let status: HTTPStatus
    /// Machine-readable code, snake_case (`bad_request`, `not_found`, ...).
    public let code: String
    public let message: String
    public var headers: [(String, String)] = []

    public init(status: HTTPStatus, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, code: "bad_request", message: message) }
    public static func unauthorized(_ message: String) -> APIError { APIError(status: .unauthorized, code: "unauthorized", message: message) }
    public static func notFound(_ message: String) -> APIError { APIError(status: .notFound, code: "not_found", message: message) }
    public static func conflict(_ message: String) -> APIError { APIError(status: .conflict, code: "conflict", message: message) }
    public static func payloadTooLarge(_ message: String) -> APIError { APIError(status: .payloadTooLarge, code: "payload_too_large", message: message) }
    public static func unsupportedMediaType(_ message: String) -> APIError { APIError(status: .unsupportedMediaType, code: "unsupported_media_type", message: message) }
    public static func unavailable(_ message: String) -> APIError { APIError(status: .serviceUnavailable, code: "unavailable", message: message) }
    public static func badGateway(_ message: String) -> APIError { APIError(status: .badGateway, code: "bad_gateway", message: message) }
    public static func gatewayTimeout(_ message: String) -> APIError { APIError(status: .gatewayTimeout, code: "gateway_timeout", message: message) }
    public static func `internal`(_ message: String) -> APIError { APIError(status: .internalServerError, code: "internal", message: message) }

    public static func methodNotAllowed(_ method: HTTPMethod, allowed: [HTTPMethod]) -> APIError {
        var error = APIError(status: .methodNotAllowed, code: "method_not_allowed", message: "method \(method) not allowed; allowed: \(allowed.map(\.description).joined(separator: ", "))")
        error.headers = [("Allow", allowed.map(\.description).joined(separator: ", "))]
        return error
    }

    /// Error code for a status the server itself produces while parsing (400/408/413/414/431/...).
    public static func forProtocolFailure(_ status: HTTPStatus, _ message: String) -> APIError {
        let code = switch status.code {
        case 408: "request_timeout"
        case 413: "payload_too_large"
        case 414: "uri_too_long"
        case 417: "expectation_failed"
        case 431: "headers_too_large"
        case 501: "not_implemented"
        case 503: "unavailable"
        case 505: "version_not_supported"
        default: "bad_request"
        }
        return APIError(status: status, code: code, message: message)
    }
}
