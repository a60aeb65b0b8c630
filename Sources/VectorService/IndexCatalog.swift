import Foundation
import LakehouseKit
import Synchronization

/// The set of named indexes under `<dataDir>/vectord/`, one directory each. Opening the catalog
/// recovers every index (snapshot + log replay); serve /readyz only after it returns.
public final class IndexCatalog: Sendable {
    public let config: VectorConfig
    public let root: String
    private let indexes: Mutex<[String: VectorIndex]>

    /// Whether `create` made the index or found an identical one (HTTP 201 vs 200).
    public enum CreateOutcome: Sendable, Equatable { case created, existing }

    private init(config: VectorConfig, root: String, indexes: [String: VectorIndex]) {
        self.config = config
        self.root = root
        self.indexes = Mutex(indexes)
    }

    /// Opens the catalog, creating its directory if needed and recovering every index in it.
    /// Leftovers of interrupted creates and deletes (dot-named directories) are removed.
    public static func open(config: VectorConfig) throws -> IndexCatalog {
        let root = config.rootDirectory
        try DurableFile.createDirectory(root)
        var found: [String: VectorIndex] = [:]
        for entry in try FileManager.default.contentsOfDirectory(atPath: root).sorted() {
            let path = (root as NSString).appendingPathComponent(entry)
            if entry.hasPrefix(".") {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            guard (try? VectorIndex.validate(name: entry)) != nil else { continue }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { continue }
            found[entry] = try VectorIndex.open(directory: path, config: config)
        }
        return IndexCatalog(config: config, root: root, indexes: found)
    }

    /// Creates index `name`, or returns the existing one when its parameters are the same.
    /// Different parameters: `VectorError.indexConflict`. The directory appears atomically (built
    /// under a dot-name, then renamed and the parent fsynced).
    @discardableResult
    public func create(name: String, params: IndexParams) throws -> (VectorIndex, CreateOutcome) {
        try VectorIndex.validate(name: name)
        try params.validate()
        return try indexes.withLock { map in
            if let existing = map[name] {
                guard existing.params == params else { throw VectorError.indexConflict(name: name, existing: existing.params) }
                return (existing, .existing)
            }
            let final = (root as NSString).appendingPathComponent(name)
            let staging = (root as NSString).appendingPathComponent(".creating-\(name)-\(UInt32.random(in: 0...UInt32.max))")
            do {
                try DurableFile.createDirectory(staging)
                try VectorIndex.writeMeta(params, directory: staging)
                try DurableFile.renameDurably(from: staging, to: final)
                let index = try VectorIndex.open(directory: final, config: config)
                map[name] = index
                return (index, .created)
            } catch let error as VectorError {
                throw error
            } catch {
                try? FileManager.default.removeItem(atPath: staging)
                throw VectorError.storage("creating index \"\(name)\": \(error)")
            }
        }
    }

    /// The open index called `name`.
    public func index(named name: String) throws(VectorError) -> VectorIndex {
        try VectorIndex.validate(name: name)
        guard let index = indexes.withLock({ $0[name] }) else { throw .indexNotFound(name) }
        return index
    }

    public var names: [String] { indexes.withLock { $0.keys.sorted() } }

    /// Stats of every index, by name.
    public func list() -> [IndexStats] {
        let all = indexes.withLock { Array($0.values) }
        return all.map { $0.stats() }.sorted { $0.name < $1.name }
    }

    /// Deletes index `name`: it stops serving at once, its log stops, and its directory is removed
    /// durably (renamed aside with the parent fsynced, then deleted).
    public func delete(name: String) async throws {
        try VectorIndex.validate(name: name)
        guard let index = indexes.withLock({ $0.removeValue(forKey: name) }) else { throw VectorError.indexNotFound(name) }
        await index.close(snapshot: false)
        do {
            try DurableFile.removeTreeDurably(index.directory)
        } catch {
            throw VectorError.storage("deleting index \"\(name)\": \(error)")
        }
    }

    /// Shutdown: snapshots and closes every index (SIGTERM path).
    public func close() async {
        let all = indexes.withLock { map in
            let values = Array(map.values)
            map.removeAll()
            return values
        }
        for index in all { await index.close(snapshot: true) }
    }
}
