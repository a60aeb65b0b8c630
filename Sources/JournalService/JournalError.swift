/// Every way a journald domain call fails. `EventRoutes.apiError` maps each to a status in one place.
public enum JournalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The body or a query parameter is malformed or out of range (400).
    case invalid(String)
    /// No such event (404).
    case notFound(String)
    /// More events, or a larger event, than configured (413).
    case tooLarge(String)
    /// Recovery is still running, the log failed, or damage was found: nothing is appended (503).
    case unavailable(String)
    /// An I/O failure reading the log (500).
    case storage(String)

    public var description: String {
        switch self {
        case .invalid(let m), .notFound(let m), .tooLarge(let m), .unavailable(let m), .storage(let m): m
        }
    }
}
