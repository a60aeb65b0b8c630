/// What a daemon's service library provides to the common runtime. The runtime owns the server,
/// the standard endpoints, signals and systemd; the service owns its routes and its state.
public protocol DaemonService: Sendable {
    /// The daemon's own routes (`/v1/...`). The standard endpoints are added by the runtime.
    func register(_ router: inout Router)
    /// Loads state (recovery, roster, ...). Runs after the server is listening, so `/healthz` answers
    /// meanwhile; `/readyz` stays 503 until it returns. Throwing ends the process with exit code 1.
    func start() async throws
    /// Reasons the daemon is not ready now (empty when ready), e.g. a required peer not answering.
    func readinessProblems() async -> [String]
    /// Flush and fsync before exit; runs after in-flight requests have drained.
    func shutdown() async
}

extension DaemonService {
    public func start() async throws {}
    public func readinessProblems() async -> [String] { [] }
    public func shutdown() async {}
}

/// The product version every daemon reports on `/healthz` and `/version`.
public enum LakehouseVersion {
    public static let current = "0.1.0"
}
