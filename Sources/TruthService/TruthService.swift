import Foundation
import LakehouseKit

/// truthd: claims from many sources and the facts reconciled from them (SPEC §6). The route
/// table; handlers in `ClaimRoutes`, the rules in `Reconciler`, storage in `ClaimStore`.
public struct TruthService: DaemonService {
    let context: DaemonContext
    let config: TruthConfig
    let holder = ClaimStoreHolder()
    let journal: JournalClient?

    public init(context: DaemonContext) throws {
        self.context = context
        config = try TruthConfig(environment: context.environment, dataDirectory: context.config.dataDirectory)
        journal = config.journal ? try JournalClient(context: context) : nil
        let holder = self.holder
        context.metrics.gauge("truthd_claims", help: "Claims stored.") { Double(holder.current?.claimCount ?? 0) }
        context.metrics.gauge("truthd_subjects", help: "Subjects with at least one claim.") { Double(holder.current?.subjectCount ?? 0) }
    }

    public func register(_ router: inout Router) {
        let routes = ClaimRoutes(holder: holder, config: config, reconciler: Reconciler(sourcePriority: config.sourcePriority), journal: journal)
        router.post("/v1/claims") { try await routes.claims($0) }
        router.streaming(.POST, "/v1/claims/import") { try await routes.importClaims($0, body: $1) }
        router.get("/v1/facts/{subject}") { try await routes.facts($0) }
        router.post("/v1/facts") { try await routes.factsBatch($0) }
        router.post("/v1/reconcile") { try await routes.reconcile($0) }
    }

    /// Recovery: replay the claim log (a torn tail is truncated). `/readyz` turns 200 after it.
    public func start() async throws {
        let directory = (config.directory as NSString).appendingPathComponent("claims")
        let segmentBytes = config.segmentBytes
        let store = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ClaimStore, any Error>) in
            DispatchQueue.global().async { continuation.resume(with: Result { try ClaimStore(directory: directory, segmentBytes: segmentBytes) }) }
        }
        holder.set(store)
        if !store.damage.isEmpty {
            context.logger.error("claim log damaged; the damaged records are skipped", [("damage", store.damage.map(\.description).joined(separator: "; "))])
        }
        context.logger.info("recovered", [("claims", String(store.recoveredClaims)), ("subjects", String(store.subjectCount)),
                                           ("truncated_bytes", String(store.log.recovery.truncatedBytes))])
    }

    public func shutdown() async {
        await journal?.close()
        holder.current?.close()
    }
}
