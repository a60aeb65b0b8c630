import LakehouseKit
import Synchronization

/// Periodic snapshots (`VECTORD_SNAPSHOT_INTERVAL_S`): every index whose log holds records not yet
/// covered by a snapshot gets one, so a quiet index never leaves a long log to replay after a crash.
/// Size-triggered snapshots (`VECTORD_SNAPSHOT_WAL_BYTES`) happen in the index itself.
final class SnapshotTimer: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start(every seconds: Int, catalog: IndexCatalog, logger: Logger) {
        guard seconds > 0 else { return }
        let loop = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(seconds) * 1_000_000_000)
                if Task.isCancelled { return }
                for name in catalog.names {
                    guard let index = try? catalog.index(named: name), index.stats().walBytes > WriteAheadLog.magic.count else { continue }
                    do {
                        try await index.snapshot()
                    } catch {
                        logger.warn("periodic snapshot failed", [("index", name), ("error", "\(error)")])
                    }
                }
            }
        }
        task.withLock { $0 = loop }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}
