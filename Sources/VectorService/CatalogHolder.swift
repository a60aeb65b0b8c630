import LakehouseKit
import Synchronization

/// The catalog once recovery has opened it; until then index routes answer 503.
final class CatalogHolder: Sendable {
    private let catalog = Mutex<IndexCatalog?>(nil)

    func set(_ value: IndexCatalog) { catalog.withLock { $0 = value } }
    var current: IndexCatalog? { catalog.withLock { $0 } }

    func get() throws(APIError) -> IndexCatalog {
        guard let current else { throw APIError.unavailable("vectord is recovering its indexes; retry shortly") }
        return current
    }
}
