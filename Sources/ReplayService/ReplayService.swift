import LakehouseKit

/// replayd: replays recorded runs through today's fleet (SPEC §6). The route table; handlers in
/// `ReplayRoutes`, the domain in `Replayer` and `ReplayJudge`.
public struct ReplayService: DaemonService {
    let context: DaemonContext
    let config: ReplayConfig

    public init(context: DaemonContext) throws {
        self.context = context
        config = try ReplayConfig(environment: context.environment, dataRoot: context.config.dataRoot)
    }

    public func register(_ router: inout Router) {
        let routes = ReplayRoutes(replayer: Replayer(config: config, fleet: HTTPReplayFleet(peers: context.peers)))
        router.post("/v1/replay") { try await routes.replay($0) }
        router.get("/v1/replay/runs") { try await routes.runs($0) }
        router.get("/v1/replay/status") { try await routes.status($0) }
    }

    public func start() async throws {
        ArtifactCleanup.removeStaleTemporaries(in: [config.paths.replayDirectory])
    }
}
