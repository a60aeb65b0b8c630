import LakehouseKit

/// matrixd's one domain error. `MatrixRoutes.apiError` is the one place it becomes a status.
public struct MatrixError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case badRequest, notFound, conflict, tooLarge
        /// A peer (embedd, vectord) is down or not answering: 503 naming it.
        case unavailable
        /// A peer answered something matrixd cannot use: 502.
        case badGateway
        case storage
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    static func badRequest(_ message: String) -> MatrixError { MatrixError(.badRequest, message) }
    static func notFound(_ message: String) -> MatrixError { MatrixError(.notFound, message) }
}
