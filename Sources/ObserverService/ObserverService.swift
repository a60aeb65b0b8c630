import LakehouseKit

/// observerd: audit baselines, audit-full phases 0–7, fleet view (SPEC §6). The route table;
/// handlers in `AuditRoutes`, the phases in `AuditRunner`, baselines in `BaselineBook`.
public struct ObserverService: DaemonService {
    let context: DaemonContext
    let config: ObserverConfig

    public init(context: DaemonContext) throws {
        self.context = context
        config = try ObserverConfig(environment: context.environment, dataRoot: context.config.dataRoot)
    }

    public func register(_ router: inout Router) {
        let fleet = FleetProbe(peers: context.peers, timeoutMs: config.probeTimeoutMs)
        let routes = AuditRoutes(runner: AuditRunner(peers: context.peers, config: config, fleet: fleet), baselines: BaselineBook(config: config))
        router.post("/v1/audit/baselines") { try await routes.baseline($0) }
        router.post("/v1/audit/full") { try await routes.full($0) }
        router.get("/v1/fleet") { try await routes.fleet($0) }
    }

    public func start() async throws {
        ArtifactCleanup.removeStaleTemporaries(in: [config.paths.auditDirectory])
    }
}
