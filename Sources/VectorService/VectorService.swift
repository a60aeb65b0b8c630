import Foundation
import LakehouseKit

/// vectord: named HNSW vector indexes that survive kill -9 (SPEC §6). The route table; handlers in
/// `IndexRoutes`, the domain in `IndexCatalog` / `VectorIndex`.
public struct VectorService: DaemonService {
    let context: DaemonContext
    let config: VectorConfig
    let catalog = CatalogHolder()
    let snapshotTimer = SnapshotTimer()

    public init(context: DaemonContext) throws {
        self.context = context
        var environment = context.environment.values
        environment["LAKEHOUSE_DATA_DIR"] = context.config.dataRoot
        do {
            config = try VectorConfig(environment: environment)
        } catch {
            throw ConfigError(error.description)
        }
        VectorService.registerMetrics(context.metrics, catalog: catalog)
    }

    public func register(_ router: inout Router) {
        let routes = IndexRoutes(catalog: catalog, config: config)
        router.get("/v1/indexes") { try await routes.list($0) }
        router.post("/v1/indexes/search") { try await routes.searchBatch($0) }
        router.put("/v1/indexes/{name}") { try await routes.create($0) }
        router.get("/v1/indexes/{name}") { try await routes.stats($0) }
        router.delete("/v1/indexes/{name}") { try await routes.deleteIndex($0) }
        router.streaming(.POST, "/v1/indexes/{name}/upsert") { try await routes.upsert($0, body: $1) }
        router.post("/v1/indexes/{name}/delete") { try await routes.deleteItems($0) }
        router.get("/v1/indexes/{name}/items/{id}") { try await routes.item($0) }
        router.post("/v1/indexes/{name}/search") { try await routes.search($0) }
    }

    /// Recovery: every index's snapshot plus log replay. `/readyz` turns 200 only after this.
    public func start() async throws {
        let started = Date()
        let config = self.config
        // Recovery reads and fsyncs files: keep it off Swift's cooperative threads.
        let opened = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<IndexCatalog, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try IndexCatalog.open(config: config) })
            }
        }
        catalog.set(opened)
        snapshotTimer.start(every: config.snapshotIntervalSeconds, catalog: opened, logger: context.logger)
        context.logger.info("recovered", [("kernels", KernelDispatch.selected.rawValue),
                                           ("int8_kernel", KernelDispatch.selected.int8Kernel),
                                           ("indexes", String(opened.names.count)),
                                           ("items", String(opened.list().reduce(0) { $0 + $1.count })),
                                           ("seconds", String(format: "%.3f", Date().timeIntervalSince(started)))])
    }

    public func shutdown() async {
        snapshotTimer.stop()
        await catalog.current?.close()
    }

    static func registerMetrics(_ metrics: MetricsRegistry, catalog: CatalogHolder) {
        metrics.collector {
            // Which compiled distance kernels this process chose (KernelDispatch).
            var out = "# HELP vectord_kernels_info Instruction set of the distance kernels in use.\n"
                + "# TYPE vectord_kernels_info gauge\nvectord_kernels_info{instruction_set=\"\(KernelDispatch.selected.rawValue)\"} 1\n"
                + "# HELP vectord_int8_kernel_info Integer kernel of int8 indexes in use.\n"
                + "# TYPE vectord_int8_kernel_info gauge\nvectord_int8_kernel_info{kernel=\"\(KernelDispatch.selected.int8Kernel)\"} 1\n"
            guard let stats = catalog.current?.list(), !stats.isEmpty else { return out }
            func family(_ name: String, _ help: String, _ kind: String, _ value: (IndexStats) -> Double) {
                out += "# HELP \(name) \(help)\n# TYPE \(name) \(kind)\n"
                for index in stats {
                    out += "\(name){index=\"\(MetricsRegistry.escape(index.name))\"} \(MetricsRegistry.format(value(index)))\n"
                }
            }
            family("vectord_index_items", "Live items per index.", "gauge") { Double($0.count) }
            family("vectord_index_tombstones", "Deleted or replaced items awaiting compaction.", "gauge") { Double($0.tombstones) }
            family("vectord_index_memory_bytes", "Approximate memory per index.", "gauge") { Double($0.memoryBytes) }
            family("vectord_index_disk_bytes", "Snapshot and log bytes per index.", "gauge") { Double($0.diskBytes) }
            family("vectord_index_wal_bytes", "Write-ahead log bytes not yet covered by a snapshot.", "gauge") { Double($0.walBytes) }
            family("vectord_index_searches_total", "Searches per index.", "counter") { Double($0.searches) }
            family("vectord_index_search_seconds_total", "Time spent searching, per index.", "counter") { $0.searchSeconds }
            family("vectord_index_upserted_items_total", "Items upserted per index.", "counter") { Double($0.upsertedItems) }
            return out
        }
    }
}
