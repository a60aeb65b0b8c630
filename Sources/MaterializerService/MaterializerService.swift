import LakehouseKit

/// materializerd: runs to evidence, scoring, exports (SPEC §6). The route table; handlers in
/// `MaterializerRoutes`, the domain in `Materializer`, `RunAssembler`, `RunScorer`, `Exporter`.
/// Ready once loaded: journald being down is answered per call (`POST /v1/materialize` → 503), so
/// exports of what is already materialized keep working without it.
public struct MaterializerService: DaemonService {
    let context: DaemonContext
    let config: MaterializerConfig
    let materializer: Materializer

    public init(context: DaemonContext) throws {
        self.context = context
        config = try MaterializerConfig(environment: context.environment, dataRoot: context.config.dataRoot)
        materializer = Materializer(config: config, source: JournaldEventSource(peers: context.peers, timeoutMs: context.config.peerTimeoutMs),
                                    logger: context.logger)
    }

    public func register(_ router: inout Router) {
        let routes = MaterializerRoutes(materializer: materializer, exporter: Exporter(paths: config.paths))
        router.post("/v1/materialize") { try await routes.materialize($0) }
        router.get("/v1/materialize/summary") { try await routes.lastSummary($0) }
        router.get("/v1/materialize/status") { try await routes.status($0) }
        router.post("/v1/export/{kind}") { try await routes.export($0) }
    }

    /// Temporary files of a pass killed mid-way are removed (the targets themselves are intact).
    public func start() async throws {
        ArtifactCleanup.removeStaleTemporaries(in: [config.paths.evidenceDirectory, config.paths.scoredDirectory, config.paths.quarantineDirectory,
                                                    config.paths.exportsDirectory, config.dataRoot + "/materializerd"])
    }
}
