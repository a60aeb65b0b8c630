import LakehouseKit

/// materializerd's one domain error; `MaterializerRoutes.apiError` maps it to a status.
public struct MaterializerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case badRequest, notFound, busy, journalUnavailable, storage }
    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
