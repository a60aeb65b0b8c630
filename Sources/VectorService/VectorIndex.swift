import Dispatch
import Foundation
import LakehouseKit
import Synchronization

/// One item of an index: an external id, its vector and its metadata object. Decodes from
/// `{"id","vector":[…],"metadata"?:{…}}`.
public struct VectorItem: Sendable, Equatable, Codable {
    public var id: String
    public var vector: [Float]
    public var metadata: [String: JSONValue]

    public init(id: String, vector: [Float], metadata: [String: JSONValue] = [:]) {
        self.id = id
        self.vector = vector
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey { case id, vector, metadata }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        vector = try c.decode([Float].self, forKey: .vector)
        metadata = try c.decodeIfPresent([String: JSONValue].self, forKey: .metadata) ?? [:]
    }
}

/// One search result. `score` is higher-is-better (cosine similarity, inner product, or
/// 1 / (1 + euclidean distance)); `distance` is lower-is-better (1 − cosine, −inner product, or
/// euclidean distance).
public struct SearchHit: Sendable, Equatable {
    public var id: String
    public var score: Float
    public var distance: Float
    /// The item's metadata as JSON object text, as the index holds it (answers copy it verbatim).
    public var metadataJSON: [UInt8]

    /// The item's metadata fields (parsed from `metadataJSON`).
    public var metadata: [String: JSONValue] { MetadataJSON.decode(metadataJSON) }
}

/// What `GET /v1/indexes/{name}` reports, plus counters for /metrics.
public struct IndexStats: Sendable, Equatable, Codable {
    public var name: String
    public var dims: Int
    public var metric: Metric
    public var m: Int
    public var efConstruction: Int
    public var quantization: Quantization
    /// Live items.
    public var count: Int
    /// Deleted or replaced items still held as graph waypoints until the next compaction.
    public var tombstones: Int
    /// Anonymous memory of the index (graph, vectors or codes, ids, metadata).
    public var memoryBytes: Int
    /// int8: the full-precision vectors' file-backed map (page cache, not counted above).
    public var mappedVectorBytes: Int
    public var diskBytes: Int
    /// memoryBytes + diskBytes.
    public var bytes: Int
    public var walBytes: Int
    public var searches: Int
    public var searchSeconds: Double
    public var upsertCalls: Int
    public var upsertedItems: Int
    public var deletedItems: Int
    public var snapshots: Int
    public var compactions: Int
    public var lastMaintenanceError: String?

    enum CodingKeys: String, CodingKey {
        case name, dims, metric, m, count, tombstones, bytes, searches, snapshots, compactions
        case efConstruction = "ef_construction"
        case quantization
        case memoryBytes = "memory_bytes"
        case mappedVectorBytes = "mapped_vector_bytes"
        case diskBytes = "disk_bytes"
        case walBytes = "wal_bytes"
        case searchSeconds = "search_seconds"
        case upsertCalls = "upsert_calls"
        case upsertedItems = "upserted_items"
        case deletedItems = "deleted_items"
        case lastMaintenanceError = "last_maintenance_error"
    }
}

/// Monotonic counters of one index, exported through `IndexStats`.
final class IndexCounters: Sendable {
    let searches = Atomic<Int>(0)
    let searchNanos = Atomic<Int>(0)
    let upsertCalls = Atomic<Int>(0)
    let upsertedItems = Atomic<Int>(0)
    let deletedItems = Atomic<Int>(0)
    let snapshots = Atomic<Int>(0)
    let compactions = Atomic<Int>(0)
    /// Changes committed during compactions and replayed onto the rebuilt graph.
    let compactionCatchUps = Atomic<Int>(0)
}

/// One named, durable index: the HNSW graph and its items, a write-ahead log and snapshots in
/// `<dataDir>/vectord/<name>/`.
///
/// Durability: every change is appended to the log while the graph's write lock is held (so log
/// order is apply order); `upsert` and `delete` return only after the group-committed fsync covers
/// their records. Recovery loads `snapshot.bin` and replays the log segments after it. Snapshots
/// are taken after `VECTORD_SNAPSHOT_WAL_BYTES` of log, on demand, and on close; once tombstones
/// exceed `VECTORD_COMPACT_RATIO` of the nodes, the graph is rebuilt from the live items in the
/// background (searches and writes continue meanwhile) before the next snapshot.
public final class VectorIndex: Sendable {
    public let name: String
    public let params: IndexParams
    public let directory: String
    let config: VectorConfig
    private let current: Mutex<HNSWIndex>
    private let wal: WriteAheadLog
    let counters = IndexCounters()
    private let closed = Atomic<Bool>(false)
    private let maintenanceScheduled = Atomic<Bool>(false)
    /// Serialises snapshots, compactions and close.
    private let maintenanceLock = NSLock()
    private let lastMaintenanceError = Mutex<String?>(nil)
    private static let workQueue = DispatchQueue(label: "vectord.insert", qos: .userInitiated, attributes: .concurrent)
    private static let maintenanceQueue = DispatchQueue(label: "vectord.maintenance", qos: .utility)

    static let metaFileName = "meta.json"
    public static let maxIDBytes = 256

    var graph: HNSWIndex { current.withLock { $0 } }

    private init(name: String, params: IndexParams, directory: String, config: VectorConfig, graph: HNSWIndex,
                 wal: WriteAheadLog) {
        self.name = name
        self.params = params
        self.directory = directory
        self.config = config
        self.current = Mutex(graph)
        self.wal = wal
    }

    // MARK: validation

    /// Index names: `[a-z0-9_-]{1,64}` (so never `.`, `..`, a slash, or anything a path resolves).
    public static func validate(name: String) throws(VectorError) {
        let utf8 = name.utf8
        guard (1...64).contains(utf8.count),
              utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D })
        else { throw .invalidIndexName(name) }
    }

    public static func validate(id: String) throws(VectorError) {
        let n = id.utf8.count
        guard n > 0 else { throw .invalidItemID("item id must not be empty") }
        guard n <= maxIDBytes else { throw .invalidItemID("item id is \(n) bytes, at most \(maxIDBytes) allowed") }
    }

    /// Checks dims and finiteness; returns the vector as stored (unit length under cosine).
    func checkedVector(_ v: [Float], what: String) throws(VectorError) -> [Float] {
        guard v.count == params.dims else { throw .dimensionMismatch(expected: params.dims, got: v.count) }
        for (i, x) in v.enumerated() where !x.isFinite {
            throw .invalidVector("\(what): value at position \(i) is \(x.isNaN ? "NaN" : "infinite")")
        }
        guard params.metric == .cosine else { return v }
        var unit = v
        guard DistanceKernels.normalize(&unit) else {
            throw .invalidVector("\(what): a zero vector has no direction under the cosine metric")
        }
        return unit
    }

    private func checkOpen() throws(VectorError) {
        if closed.load(ordering: .acquiring) { throw .unavailable("index \"\(name)\" is closed") }
    }

    // MARK: open

    /// Writes `meta.json` for a new index into `directory` (which must exist).
    static func writeMeta(_ params: IndexParams, directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = Array(try encoder.encode(params))
        try DurableFile.atomicReplace(path: (directory as NSString).appendingPathComponent(metaFileName), bytes: bytes)
    }

    static func readMeta(directory: String) throws -> IndexParams {
        let data = try Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(metaFileName)))
        let params = try JSONDecoder().decode(IndexParams.self, from: data)
        try params.validate()
        return params
    }

    /// Opens (recovers) the index stored in `directory`: snapshot, then every log record after it.
    /// A torn log tail is truncated.
    static func open(directory: String, config: VectorConfig) throws -> VectorIndex {
        let name = (directory as NSString).lastPathComponent
        let params = try readMeta(directory: directory)
        // Temporary files of replacements a crash interrupted (the target is still the old file).
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where entry.contains(".tmp-") {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(entry))
        }
        let snapshotPath = (directory as NSString).appendingPathComponent(IndexSnapshot.fileName)
        var graph = try HNSWIndex(params: params, directory: directory)
        var fromGeneration: UInt64 = 0
        if FileManager.default.fileExists(atPath: snapshotPath) {
            (graph, fromGeneration) = try IndexSnapshot.read(path: snapshotPath, params: params, directory: directory)
        }
        if params.quantization == .int8, let saved = try QuantizerFile.read(directory: directory) {
            guard saved.dims == params.dims, graph.quantizer.map({ $0 == saved }) ?? true else {
                throw IndexSnapshot.Corrupt(description: "\(directory): \(QuantizerFile.name) differs from the snapshot's quantiser")
            }
            if graph.quantizer == nil { graph.install(saved) }
        }
        var batch = ReplayBatch()
        let target = graph
        let report = try WriteAheadLog.replay(directory: directory, fromGeneration: fromGeneration) { record in
            switch record {
            case .upsert(let id, let vector, let metadata):
                guard vector.count == params.dims else {
                    throw IndexSnapshot.Corrupt(description: "\(directory): log record with \(vector.count) dims")
                }
                if batch.ids.contains(id) { batch.flush(into: target, threads: config.insertThreads) }
                batch.add(id: id, vector: vector, metadata: metadata)
                if batch.items.count >= 4096 { batch.flush(into: target, threads: config.insertThreads) }
            case .delete(let id):
                batch.flush(into: target, threads: config.insertThreads)
                _ = target.delete(id: id, whileLocked: {})
            }
        }
        batch.flush(into: target, threads: config.insertThreads)
        let wal = try WriteAheadLog(directory: directory, generation: max(report.lastGeneration, fromGeneration))
        try wal.removeSegments(before: fromGeneration)
        let index = VectorIndex(name: name, params: params, directory: directory, config: config, graph: graph, wal: wal)
        wal.setDurabilityObserver { [weak index] lsn in index?.graph.visibility.durable(upTo: lsn) }
        try index.trainQuantizerIfDue()
        return index
    }

    /// Consecutive logged upserts of distinct ids, inserted in parallel at recovery.
    private struct ReplayBatch {
        var items: [VectorItem] = []
        var ids: Set<String> = []

        mutating func add(id: String, vector: [Float], metadata: [String: JSONValue]) {
            items.append(VectorItem(id: id, vector: vector, metadata: metadata))
            ids.insert(id)
        }

        mutating func flush(into graph: HNSWIndex, threads: Int) {
            guard !items.isEmpty else { return }
            let work = items
            VectorIndex.parallelFor(work.count, threads: threads) { i in
                let item = work[i]
                item.vector.withUnsafeBufferPointer {
                    graph.insertUnlogged(vector: $0.baseAddress!, id: item.id, metadata: item.metadata,
                                         metadataBytes: approximateMetadataBytes(item.metadata))
                }
            }
            items.removeAll(keepingCapacity: true)
            ids.removeAll(keepingCapacity: true)
        }
    }

    /// Runs `body(0..<count)` on up to `threads` threads; blocks the caller (never call it on
    /// Swift's cooperative pool, see `onWorkQueue`).
    static func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        let workers = min(max(threads, 1), max(count / 32, 1))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if i >= count { break }
                    shared.value(i)
                }
            }
        }
    }

    /// Runs CPU-heavy work on a dispatch queue so it never occupies Swift's cooperative threads.
    private static func onWorkQueue<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            workQueue.async {
                do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    // MARK: writes

    /// Inserts or replaces `items` (a repeated id: the last occurrence wins) and returns once they
    /// are durable. Every item is validated before any is applied.
    public func upsert(_ items: [VectorItem]) async throws -> Int {
        try checkOpen()
        guard items.count <= config.maxBatch else {
            throw VectorError.tooLarge("\(items.count) items in one upsert; at most \(config.maxBatch) allowed")
        }
        guard !items.isEmpty else { return 0 }
        let prepared = try prepare(items)
        let lsn = try await VectorIndex.onWorkQueue { [self] in try applyUpserts(prepared) }
        try await wal.waitDurable(lsn)
        counters.upsertCalls.add(1, ordering: .relaxed)
        counters.upsertedItems.add(items.count, ordering: .relaxed)
        scheduleMaintenanceIfNeeded()
        return items.count
    }

    /// Streaming ingest: consumes `items` in batches of `batchSize`, applying each batch as it
    /// arrives, and returns the number upserted once all of them are durable. The caller never
    /// needs the whole body in memory. Items are validated per batch: if one is invalid, the
    /// batches before it stay applied (and durable) and the error is thrown.
    public func upsert<S: AsyncSequence>(streaming items: S, batchSize: Int = 1024) async throws -> Int
    where S.Element == VectorItem {
        try checkOpen()
        var batch: [VectorItem] = []
        batch.reserveCapacity(batchSize)
        var total = 0
        var lastLSN: UInt64 = 0
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let prepared = try prepare(batch)
            lastLSN = max(lastLSN, try await VectorIndex.onWorkQueue { [self] in try applyUpserts(prepared) })
            total += batch.count
            batch.removeAll(keepingCapacity: true)
            scheduleMaintenanceIfNeeded()
        }
        for try await item in items {
            batch.append(item)
            if batch.count >= batchSize { try await flush() }
        }
        try await flush()
        if lastLSN > 0 { try await wal.waitDurable(lastLSN) }
        counters.upsertCalls.add(1, ordering: .relaxed)
        counters.upsertedItems.add(total, ordering: .relaxed)
        return total
    }

    private struct PreparedItem: Sendable {
        var id: String
        var vector: [Float]
        var metadata: [String: JSONValue]
    }

    private func prepare(_ items: [VectorItem]) throws(VectorError) -> [PreparedItem] {
        var lastIndex: [String: Int] = [:]
        lastIndex.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            try Self.validate(id: item.id)
            lastIndex[item.id] = i
        }
        var out: [PreparedItem] = []
        out.reserveCapacity(lastIndex.count)
        for (i, item) in items.enumerated() where lastIndex[item.id] == i {
            let v = try checkedVector(item.vector, what: "item \"\(item.id)\"")
            out.append(PreparedItem(id: item.id, vector: v, metadata: item.metadata))
        }
        return out
    }

    /// Inserts prepared (validated, distinct-id) items, in parallel for large batches; returns the
    /// highest log sequence number written. Runs on the work queue.
    private func applyUpserts(_ items: [PreparedItem]) throws -> UInt64 {
        if items.count > 256 { graph.reserveCapacity(graph.nodeCount + items.count) }
        try trainQuantizerIfDue(arriving: items.map(\.vector))
        let highest = Atomic<UInt64>(0)
        // Large batches go in groups: each worker prepares a group, then commits it under one
        // acquisition of the write lock (see `HNSWIndex.commitInsertLocked`).
        let group = items.count >= 256 && config.insertThreads > 1 ? Self.commitGroup : 1
        Self.parallelFor((items.count + group - 1) / group, threads: config.insertThreads) { g in
            let range = (g * group)..<min((g + 1) * group, items.count)
            let lsn = range.count == 1 ? insertLogged(items[range.lowerBound]) : insertLogged(items[range])
            highest.max(lsn, ordering: .relaxed)
        }
        return highest.load(ordering: .relaxed)
    }

    /// Items a bulk-insert worker prepares before committing them together.
    static let commitGroup = 8

    /// Inserts a group: every item's neighbours are found first (read lock, concurrent), then all
    /// are committed and logged under one write lock, in order. An item whose plan went stale, or
    /// that a compaction's swap redirected, is inserted again on its own. Returns the highest log
    /// sequence number written.
    private func insertLogged(_ items: ArraySlice<PreparedItem>) -> UInt64 {
        let g = graph
        let records = items.map { item in
            item.vector.withUnsafeBufferPointer { WALRecord.framedUpsert(id: item.id, vector: $0, metadata: item.metadata) }
        }
        let levels = items.map { _ in g.randomLevel() }
        let plans = zip(items, levels).map { item, level in
            item.vector.withUnsafeBufferPointer { g.prepareInsert($0.baseAddress!, level: level) }
        }
        var highest: UInt64 = 0
        var again: [Int] = []
        g.lock.withWriteLock {
            for (offset, item) in items.enumerated() {
                let record = records[offset]
                var lsn: UInt64 = 0
                let outcome = item.vector.withUnsafeBufferPointer { v in
                    g.commitInsertLocked(plans[offset], vector: v.baseAddress!, id: item.id, metadata: item.metadata,
                                         metadataBytes: record.count - v.count * 4) {
                        lsn = wal.append(record)
                        return lsn
                    }
                }
                if case .committed = outcome { highest = max(highest, lsn) } else { again.append(offset) }
            }
        }
        for offset in again { highest = max(highest, insertLogged(items[items.startIndex + offset])) }
        return highest
    }

    private func insertLogged(_ item: PreparedItem) -> UInt64 {
        item.vector.withUnsafeBufferPointer { v in
            let record = WALRecord.framedUpsert(id: item.id, vector: v, metadata: item.metadata)
            let metadataBytes = record.count - v.count * 4
            var level: Int?
            while true {
                let g = graph
                let lvl = level ?? g.randomLevel()
                level = lvl
                let prepared = g.prepareInsert(v.baseAddress!, level: lvl)
                var lsn: UInt64 = 0
                let outcome = g.commitInsert(prepared, vector: v.baseAddress!, id: item.id, metadata: item.metadata,
                                             metadataBytes: metadataBytes) {
                    lsn = wal.append(record)
                    return lsn
                }
                if case .committed = outcome { return lsn }
            }
        }
    }

    /// Deletes the given ids (unknown ids are ignored) and returns how many existed, once durable.
    public func delete(ids: [String]) async throws -> Int {
        try checkOpen()
        guard ids.count <= config.maxBatch else {
            throw VectorError.tooLarge("\(ids.count) ids in one delete; at most \(config.maxBatch) allowed")
        }
        for id in ids { try Self.validate(id: id) }
        var deleted = 0
        var lastLSN: UInt64 = 0
        for id in ids {
            let record = WALRecord.framedDelete(id: id)
            while true {
                var lsn: UInt64 = 0
                let outcome = graph.delete(id: id) { lsn = wal.append(record) }
                guard let outcome else { break }
                if case .committed = outcome {
                    deleted += 1
                    lastLSN = lsn
                    break
                }
            }
        }
        if lastLSN > 0 { try await wal.waitDurable(lastLSN) }
        counters.deletedItems.add(deleted, ordering: .relaxed)
        scheduleMaintenanceIfNeeded()
        return deleted
    }

    // MARK: reads

    /// The stored item (its vector is unit length under the cosine metric).
    public func item(id: String) throws(VectorError) -> VectorItem {
        try Self.validate(id: id)
        guard let found = graph.item(id: id) else { throw .itemNotFound(index: name, id: id) }
        return VectorItem(id: id, vector: found.vector, metadata: found.metadata)
    }

    /// The k nearest items to `vector`, best first. `ef` (default `VECTORD_DEFAULT_EF`) trades
    /// speed for recall; a filter still yields k hits whenever k items match it.
    public func search(vector: [Float], k: Int, ef: Int? = nil, filter: MetadataFilter? = nil) throws(VectorError)
        -> [SearchHit]
    {
        guard (1...config.maxK).contains(k) else { throw .invalidQuery("k must be in 1...\(config.maxK), got \(k)") }
        let breadth = ef ?? config.defaultEF
        guard (1...config.maxEF).contains(breadth) else {
            throw .invalidQuery("ef must be in 1...\(config.maxEF), got \(breadth)")
        }
        let q = try checkedVector(vector, what: "query")
        let start = ContinuousClock.now
        let hits = q.withUnsafeBufferPointer {
            graph.search($0.baseAddress!, k: k, ef: breadth, filter: filter, limits: config.searchLimits)
        }
        let elapsed = ContinuousClock.now - start
        counters.searches.add(1, ordering: .relaxed)
        counters.searchNanos.add(Int(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000),
                                 ordering: .relaxed)
        return hits
    }

    public var count: Int { graph.live }

    public func stats() -> IndexStats {
        let g = graph
        var disk = 0, walBytes = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            let size = (try? FileManager.default.attributesOfItem(atPath: (directory as NSString).appendingPathComponent(name))[.size]
                as? Int) ?? 0
            disk += size
            if name.hasPrefix("wal-") { walBytes += size }
        }
        let memory = g.approximateBytes
        return IndexStats(
            name: name, dims: params.dims, metric: params.metric, m: params.m, efConstruction: params.efConstruction,
            quantization: params.quantization, count: g.live, tombstones: g.tombstones, memoryBytes: memory,
            mappedVectorBytes: g.lock.withReadLock { g.count * g.vectorBytes } * (params.quantization == .int8 ? 1 : 0),
            diskBytes: disk, bytes: memory + disk,
            walBytes: walBytes, searches: counters.searches.load(ordering: .relaxed),
            searchSeconds: Double(counters.searchNanos.load(ordering: .relaxed)) / 1e9,
            upsertCalls: counters.upsertCalls.load(ordering: .relaxed),
            upsertedItems: counters.upsertedItems.load(ordering: .relaxed),
            deletedItems: counters.deletedItems.load(ordering: .relaxed),
            snapshots: counters.snapshots.load(ordering: .relaxed),
            compactions: counters.compactions.load(ordering: .relaxed),
            lastMaintenanceError: lastMaintenanceError.withLock { $0 })
    }

    // MARK: int8 quantiser

    /// Vectors an int8 index trains its quantiser on, once it has this many.
    static let quantizerTrainingSize = 1_024
    private let trainingLock = NSLock()

    /// Trains an int8 index's quantiser once the index plus `arriving` hold enough vectors: the
    /// parameters are written durably before the codes are used, so a crash recovers the same ones.
    private func trainQuantizerIfDue(arriving: [[Float]] = []) throws {
        guard params.quantization == .int8, graph.quantizer == nil else { return }
        trainingLock.lock()
        defer { trainingLock.unlock() }
        let g = graph
        guard g.quantizer == nil else { return }
        var sample: [Float] = g.lock.withReadLock {
            var rows: [Float] = []
            rows.reserveCapacity(min(g.count, 20_000) * params.dims)
            for node in 0..<min(g.count, 20_000) {
                rows.append(contentsOf: UnsafeBufferPointer(start: g.vector(UInt32(node)), count: params.dims))
            }
            return rows
        }
        for v in arriving where sample.count < 20_000 * params.dims { sample.append(contentsOf: v) }
        let rows = sample.count / params.dims
        guard rows >= Self.quantizerTrainingSize else { return }
        let quantizer = sample.withUnsafeBufferPointer { ScalarQuantizer(training: $0.baseAddress!, count: rows, dims: params.dims) }
        try QuantizerFile.write(quantizer, directory: directory)
        g.install(quantizer)
    }

    /// The trained quantiser's parameters, for tests and stats.
    var quantizer: ScalarQuantizer? { graph.quantizer }

    // MARK: maintenance

    private var needsCompaction: Bool {
        let g = graph
        let nodes = g.nodeCount
        return nodes >= 1_000 && Double(nodes - g.live) > config.compactRatio * Double(nodes)
    }

    private func scheduleMaintenanceIfNeeded() {
        let compact = needsCompaction
        guard compact || wal.currentSegmentBytes >= config.snapshotWALBytes else { return }
        guard maintenanceScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        Self.maintenanceQueue.async { [self] in
            defer { maintenanceScheduled.store(false, ordering: .releasing) }
            do {
                if compact { try compactNow() }
                try snapshotNow()
            } catch {
                lastMaintenanceError.withLock { $0 = "\(error)" }
            }
        }
    }

    /// Takes a snapshot now and drops the log segments it covers.
    public func snapshot() async throws {
        try checkOpen()
        try await Self.onWorkQueue { [self] in try snapshotNow() }
    }

    /// Rebuilds the graph from the live items now (normally automatic), then snapshots.
    public func compact() async throws {
        try checkOpen()
        try await Self.onWorkQueue { [self] in
            try compactNow()
            try snapshotNow()
        }
    }

    private func snapshotNow() throws {
        maintenanceLock.lock()
        defer { maintenanceLock.unlock() }
        if closed.load(ordering: .acquiring) { return }
        try writeSnapshot()
    }

    /// Caller holds `maintenanceLock`. The graph's read lock holds off commits (and so log
    /// appends) only while the log rotates and the image is captured (O(1), copy-on-write); the
    /// image is written, fsynced and renamed with no lock held, so neither searches nor commits
    /// wait for it. Until the rename, recovery uses the previous snapshot and replays the older
    /// segments too.
    private func writeSnapshot() throws {
        let g = graph
        let path = (directory as NSString).appendingPathComponent(IndexSnapshot.fileName)
        let (generation, image) = try g.lock.withReadLock { (try wal.rotate(), g.captureImage()) }
        // Written without the lock: searches and commits go on (see `HNSWIndex.Image`).
        let staged: StagedReplacement
        do {
            defer { g.releaseImage() }
            staged = try IndexSnapshot.stage(image, of: g, walGeneration: generation, to: path)
        }
        try staged.commit()
        try wal.removeSegments(before: generation)
        counters.snapshots.add(1, ordering: .relaxed)
    }

    /// Builds a fresh graph from the live items while the old one keeps serving, replays changes
    /// committed meanwhile, then swaps it in under the old graph's write lock.
    private func compactNow() throws {
        maintenanceLock.lock()
        defer { maintenanceLock.unlock() }
        if closed.load(ordering: .acquiring) { return }
        let old = graph
        let live: [VectorItem] = old.lock.withWriteLock {
            old.capturedChanges = []
            var items: [VectorItem] = []
            items.reserveCapacity(old.liveCount)
            for node in 0..<old.count where !old.deleted[node] {
                items.append(VectorItem(id: old.externalIDs[node],
                                        vector: Array(UnsafeBufferPointer(start: old.vector(UInt32(node)), count: params.dims)),
                                        metadata: old.metadata[node].map(MetadataJSON.decode) ?? [:]))
            }
            return items
        }
        let fresh = try HNSWIndex(params: params, directory: directory)
        // Compaction keeps the quantiser: codes stay comparable and the persisted file stays true.
        if let q = old.quantizer { fresh.install(q) }
        fresh.reserveCapacity(live.count + 1024)
        Self.parallelFor(live.count, threads: config.insertThreads) { i in
            // A shutdown abandons the rebuild rather than wait for it (the old graph is intact).
            if closed.load(ordering: .relaxed) { return }
            live[i].vector.withUnsafeBufferPointer {
                fresh.insertUnlogged(vector: $0.baseAddress!, id: live[i].id, metadata: live[i].metadata,
                                     metadataBytes: approximateMetadataBytes(live[i].metadata))
            }
        }
        func replay(_ changes: [HNSWIndex.CapturedChange]) {
            counters.compactionCatchUps.add(changes.count, ordering: .relaxed)
            for change in changes {
                switch change {
                case .upsert(let id, let vector, let metadata, let lsn):
                    vector.withUnsafeBufferPointer {
                        fresh.insertUnlogged(vector: $0.baseAddress!, id: id, metadata: metadata,
                                             metadataBytes: approximateMetadataBytes(metadata), lsn: lsn)
                    }
                case .delete(let id):
                    _ = fresh.delete(id: id, whileLocked: {})
                }
            }
        }
        if closed.load(ordering: .acquiring) {
            old.lock.withWriteLock { old.capturedChanges = nil }
            return
        }
        while true {
            let changes = old.lock.withWriteLock {
                let c = old.capturedChanges ?? []
                old.capturedChanges = []
                return c
            }
            replay(changes)
            if changes.count < 64 { break }
        }
        old.lock.withWriteLock {
            replay(old.capturedChanges ?? [])
            old.capturedChanges = nil
            old.retired = true
            current.withLock { $0 = fresh }
        }
        // The committer reports to whichever graph is current; anything it reported to the old one
        // before the swap is caught up here.
        fresh.visibility.durable(upTo: wal.durableSequence)
        counters.compactions.add(1, ordering: .relaxed)
    }

    /// Stops accepting writes, waits for maintenance, writes a final snapshot (when the log holds
    /// anything) and stops the log. Idempotent.
    public func close(snapshot: Bool = true) async {
        guard closed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return
        }
        _ = try? await Self.onWorkQueue { [self] in
            maintenanceLock.lock()
            defer { maintenanceLock.unlock() }
            if snapshot && wal.currentSegmentBytes > WriteAheadLog.magic.count {
                do { try writeSnapshot() } catch { lastMaintenanceError.withLock { $0 = "\(error)" } }
            }
            wal.close()
        }
    }
}

/// A rough size of metadata in memory, for stats.
func approximateMetadataBytes(_ m: [String: JSONValue]) -> Int {
    var w = ByteWriter()
    w.metadata(m)
    return w.bytes.count
}

/// Carries a non-Sendable value across a concurrency boundary where the caller guarantees safety
/// (here: a closure run by `concurrentPerform` while the caller blocks).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
