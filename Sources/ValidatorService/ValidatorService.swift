import Foundation
import LakehouseKit

/// validatord: fill and e-mail validators over a compact roster, and the iterate loop (SPEC §6).
/// The route table; handlers in `ValidationRoutes` / `IterateRoutes`, the domain in
/// `FillValidator`, `EmailValidator`, `IterateLoop` and `CompactRoster`.
public struct ValidatorService: DaemonService {
    let context: DaemonContext
    let config: ValidatorConfig
    let roster: RosterHolder
    let validator: DraftValidator
    let loop: IterateLoop
    let journal: JournalClient
    let metrics: ValidatorMetrics

    public init(context: DaemonContext) throws {
        self.context = context
        config = try ValidatorConfig(environment: context.environment, dataRoot: context.config.dataRoot)
        roster = RosterHolder(choice: RosterChoice(directory: context.config.dataDirectory, configuredPath: config.rosterPath))
        validator = DraftValidator(roster: roster, certifications: TruthdCertificationSource(peers: context.peers, timeoutMs: config.truthTimeoutMs),
                                   radiusMiles: config.radiusMiles)
        journal = try JournalClient(context: context)
        loop = IterateLoop(drafts: ChatdDraftSource(peers: context.peers), validator: validator,
                           journal: JournaldAttemptJournal(client: journal), attemptLimit: config.maxAttempts)
        metrics = ValidatorMetrics(context.metrics)
        ValidatorService.registerMetrics(context.metrics, roster: roster)
    }

    public func register(_ router: inout Router) {
        let routes = ValidationRoutes(roster: roster, validator: validator, defaultRosterPath: config.rosterPath, metrics: metrics)
        let iterate = IterateRoutes(loop: loop, metrics: metrics)
        router.callback(.POST, "/v1/validate") { routes.validate($0, loop: $1, respond: $2) }
        router.onLoop(.POST, "/v1/iterate") { try await iterate.iterate($0) }  // chatd, truthd, the journal: no thread crossed
        router.inline(.GET, "/v1/roster") { try routes.stats($0) }
        router.post("/v1/roster/reload") { try await routes.reload($0) }
    }

    /// Loads the roster (the last acknowledged reload's file, else `VALIDATORD_ROSTER`'s); `/readyz`
    /// turns 200 after it. A missing default file starts empty.
    public func start() async throws {
        var path = roster.choice?.pathToLoad() ?? config.rosterPath
        if path != config.rosterPath && !FileManager.default.fileExists(atPath: path) {
            context.logger.warn("the roster file of the last reload is gone; loading the configured one", [("path", path)])
            path = config.rosterPath
        }
        if path == config.rosterPath && !config.rosterPathIsExplicit && !FileManager.default.fileExists(atPath: path) {
            roster.install(CompactRoster.empty(), path: path, loadSeconds: 0)
            context.logger.warn("no roster file yet; starting with an empty roster (POST /v1/roster/reload once it exists)", [("path", path)])
            return
        }
        let loaded = try await roster.reload(path: path)
        context.logger.info("roster loaded", [("path", loaded.path), ("workers", String(loaded.roster.count)),
                                              ("seconds", String(format: "%.3f", loaded.loadSeconds)),
                                              ("memory_bytes", String(loaded.roster.memoryBytes))])
    }

    /// Attempts not yet delivered to journald stay spooled for the next start.
    public func shutdown() async {
        await journal.close()
    }

    static func registerMetrics(_ metrics: MetricsRegistry, roster: RosterHolder) {
        metrics.gauge("validatord_roster_workers", help: "Workers in the loaded roster.") { Double(roster.current.count) }
        metrics.gauge("validatord_roster_memory_bytes", help: "Bytes held by the compact roster.") { Double(roster.current.memoryBytes) }
        metrics.gauge("validatord_roster_load_seconds", help: "How long the last roster load took.") { roster.loaded?.loadSeconds ?? 0 }
        metrics.counter("validatord_roster_loads_total", help: "Roster loads (start and reloads).") { Double(roster.reloads.value) }
    }
}
