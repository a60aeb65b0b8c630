/// replayd's one domain error; `ReplayRoutes.apiError` maps it to a status.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case badRequest, fleetUnavailable, storage }
    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
