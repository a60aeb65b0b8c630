import Foundation
import LakehouseKit

/// journald: the append-only, hash-chained event journal with an RFC 9162 Merkle tree (SPEC §6).
/// The route table; handlers in `EventRoutes`, the journal in `JournalStore`.
public struct JournalService: DaemonService {
    let context: DaemonContext
    let config: JournalConfig
    let holder = StoreHolder()

    public init(context: DaemonContext) throws {
        self.context = context
        config = try JournalConfig(environment: context.environment, dataDirectory: context.config.dataDirectory)
        JournalService.registerMetrics(context.metrics, holder: holder)
    }

    public func register(_ router: inout Router) {
        let routes = EventRoutes(holder: holder, config: config)
        router.onLoop(.POST, "/v1/events") { try await routes.append($0) }  // decode, reserve, group commit: no pool hop
        router.get("/v1/events") { try await routes.query($0) }
        router.get("/v1/events/{seq}") { try await routes.event($0) }
        router.get("/v1/checkpoint") { try await routes.checkpoint($0) }
        router.get("/v1/proof/inclusion") { try await routes.inclusion($0) }
        router.get("/v1/proof/consistency") { try await routes.consistency($0) }
        router.get("/v1/verify") { try await routes.verify($0) }
    }

    /// Recovery: read every segment, truncate a torn tail, rebuild the chain head, tree and indexes.
    /// `/readyz` turns 200 only after this (and stays 503 naming the damage if any was found).
    public func start() async throws {
        let config = self.config
        let store = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JournalStore, any Error>) in
            DispatchQueue.global().async { continuation.resume(with: Result { try JournalStore(config: config) }) }
        }
        holder.set(store)
        var fields: [(String, String)] = [("events", String(store.checkpoint.size)), ("truncated_bytes", String(store.truncatedBytes)),
                                          ("seconds", String(format: "%.3f", store.recoverySeconds))]
        if let first = store.recoveryDamage.first {
            fields.append(("first_broken_seq", String(first.seq)))
            context.logger.error("journal damaged: \(first.segment) offset \(first.offset): \(first.reason); appends refused", fields)
        } else {
            context.logger.info("recovered", fields)
        }
    }

    public func readinessProblems() async -> [String] {
        guard let store = holder.current else { return ["recovering the journal"] }
        return store.unavailableReason.map { [$0] } ?? []
    }

    public func shutdown() async {
        holder.current?.close()
    }

    static func registerMetrics(_ metrics: MetricsRegistry, holder: StoreHolder) {
        metrics.gauge("journald_events", help: "Durable events in the journal.") { Double(holder.current?.checkpoint.size ?? 0) }
        metrics.gauge("journald_damaged_records", help: "Damaged records found by recovery (appends are refused while > 0).") {
            Double(holder.current?.recoveryDamage.count ?? 0)
        }
        metrics.counter("journald_log_bytes_written_total", help: "Bytes made durable since start.") {
            Double(holder.current?.log.durableBytesSinceOpen ?? 0)
        }
        metrics.counter("journald_fsyncs_total", help: "Group-committed fdatasyncs since start.") { Double(holder.current?.log.syncCount ?? 0) }
        metrics.gauge("journald_segments", help: "Segment files of the journal.") { Double(holder.current?.log.segments.count ?? 0) }
    }
}
