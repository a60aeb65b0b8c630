import LakehouseKit

/// gateway: the public `/v1/*` API. Every daemon's API is reached through the prefix table in
/// `RouteTable`; composed calls (`/v1/fill`) are answered here, `/openapi.json` (public, no key) describes it all, and `/` serves the web console.
public struct GatewayService: DaemonService {
    let context: DaemonContext
    let forwarder: Forwarder
    let fill: FillRoutes
    let journal: JournalClient
    let console: ConsoleRoutes

    public init(context: DaemonContext) throws {
        self.context = context
        let config = try GatewayConfig(environment: context.environment)
        forwarder = Forwarder(table: .standard, peers: context.peers, timeoutMs: context.config.peerTimeoutMs)
        let journal = try JournalClient(context: context)
        self.journal = journal
        let pipeline = FillPipeline(peers: context.peers, config: config, record: { type, traceID, payload in
            journal.record(JournalEvent(daemon: Daemon.gateway.rawValue, type: type, traceID: traceID, payload: payload.objectValue ?? [:]))
        }, sync: { await journal.sync() }, logger: context.logger)
        fill = FillRoutes(pipeline: pipeline, config: config)
        console = ConsoleRoutes(directory: ConsoleRoutes.locate(configured: config.consoleDirectory))
    }

    public func register(_ router: inout Router) {
        let fill = self.fill
        // On the connection's loop: three peer calls and the journal, no thread crossed.
        router.onLoop(.POST, "/v1/fill") { try await fill.fill($0) }
        router.inline(.GET, "/openapi.json") { _ in .json(bytes: OpenAPIDocument.bytes) }
        let console = self.console
        router.inline(.GET, "/") { try console.index($0) }
        router.inline(.GET, "/console/{file}") { try console.file($0) }
        let forwarder = self.forwarder
        for method in [HTTPMethod.GET, .POST, .PUT, .DELETE, .PATCH] {
            router.callback(method, "/v1/{path...}") { request, loop, respond in forwarder.forward(request, on: loop, respond: respond) }
        }
    }

    /// The gateway itself is ready once it listens; a down daemon is answered per route with 503.
    public func readinessProblems() async -> [String] { [] }

    /// Whatever the journal client could not deliver yet stays spooled for the next start.
    public func shutdown() async {
        await journal.close()
    }
}
