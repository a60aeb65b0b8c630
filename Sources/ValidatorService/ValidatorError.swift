import LakehouseKit

/// validatord's one domain error; `apiError` is the one place it becomes an HTTP status.
public struct ValidatorError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request itself is wrong (400).
        case badRequest
        /// A named thing (a roster file) does not exist (404).
        case notFound
        /// A roster file exists but a record in it is malformed (422).
        case unprocessable
        /// Another reload is in progress (409).
        case conflict
        /// A peer (chatd) is down (503).
        case unavailable
        /// A peer answered with a server error (502).
        case badGateway
        /// A peer did not answer in time (504).
        case timeout
        /// validatord's own data directory failed (500).
        case storage
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public var apiError: APIError {
        switch kind {
        case .badRequest: .badRequest(message)
        case .notFound: .notFound(message)
        case .unprocessable: APIError(status: .unprocessableEntity, code: "unprocessable", message: message)
        case .conflict: .conflict(message)
        case .unavailable: .unavailable(message)
        case .badGateway: .badGateway(message)
        case .timeout: .gatewayTimeout(message)
        case .storage: .internal(message)
        }
    }
}
