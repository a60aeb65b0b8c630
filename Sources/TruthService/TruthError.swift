/// Every way a truthd domain call fails. `ClaimRoutes.apiError` maps each to a status in one place.
public enum TruthError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Malformed body or claim (400).
    case invalid(String)
    /// Unknown subject or attribute (404).
    case notFound(String)
    /// Too many claims or subjects (413).
    case tooLarge(String)
    /// Still recovering, or the claim log failed (503).
    case unavailable(String)

    public var description: String {
        switch self {
        case .invalid(let m), .notFound(let m), .tooLarge(let m), .unavailable(let m): m
        }
    }
}
