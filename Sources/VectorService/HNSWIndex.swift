#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LakehouseKit
import Synchronization
import VectorKernelsInt8

/// One candidate or result: a node and its distance to the query (lower is closer).
struct Neighbor {
    var distance: Float
    var node: UInt32
}

/// A hit inside the index, before the external id and metadata are attached.
struct NodeHit {
    var node: UInt32
    var distance: Float
}

/// Hierarchical Navigable Small World graph (Malkov & Yashunin, 2016/2018) together with the items
/// it indexes: external ids, metadata, the metadata postings, and tombstones.
///
/// Memory layout: every node owns one fixed-size record in a single contiguous block — its vector
/// (64-byte aligned) followed by its layer-0 neighbour list (count + 2·m ids) — so expanding a
/// node touches adjacent cache lines. Upper layers (≈ 1/m of nodes) keep separate small lists.
/// An int8 index's record holds the vector's 8-bit codes and ‖x̂‖² instead; its full-precision
/// vectors live in `fullVectors` (file-backed), read to build the graph and to re-rank.
///
/// Visibility: a node is returned by searches (and `item`) only below `visibility.limit`, i.e.
/// once its log record is durable; until then it is a waypoint like a tombstone.
///
/// Concurrency: all state is guarded by `lock`. Searches hold the read lock for their duration. An
/// insert runs in two phases: `prepare` finds the new node's neighbours under the read lock (the
/// expensive part, concurrent with searches and other prepares), then `commit` links the node under
/// the write lock. Readers therefore never observe a half-written list or a reallocating buffer.
final class HNSWIndex: @unchecked Sendable {
    let dims: Int
    let metric: Metric
    let m: Int
    let m0: Int
    let efConstruction: Int
    let quantization: Quantization
    let levelMultiplier: Double
    let lock = ReadersWriterLock()

    // Node records. Guarded by `lock`.
    private(set) var capacity = 0
    private(set) var count = 0
    /// Bytes of one full-precision vector.
    let vectorBytes: Int
    /// int8: where ‖x̂‖² sits in a record, after the codes.
    let normOffset: Int
    let linkOffset: Int
    let nodeStride: Int
    private(set) var storage: UnsafeMutableRawPointer?
    private var storageBytes = 0
    var levels: [UInt8] = []
    var upperLinks: [UnsafeMutablePointer<UInt32>?] = []
    var deleted: [Bool] = []
    var externalIDs: [String] = []
    /// Each node's metadata as JSON object text (`MetadataJSON`); nil once tombstoned.
    var metadata: [[UInt8]?] = []
    var idToNode: [String: UInt32] = [:]
    var postings = MetadataPostings()
    var entryPoint: UInt32 = 0
    var maxLevel = 0
    private(set) var liveCount = 0
    var metadataBytes = 0
    /// Set when a rebuilt index has replaced this one: commits must go to the replacement.
    var retired = false
    /// While a compaction copies this index, committed changes are also recorded here.
    var capturedChanges: [CapturedChange]?
    /// int8 only: the full-precision vectors, by node.
    let fullVectors: FileBackedVectors?
    /// int8 only, once trained: codes are valid for every node and searches walk them.
    private(set) var quantizer: ScalarQuantizer?
    let visibility = VisibilityWatermark()
    /// Snapshots reading the raw records without the lock (see `captureImage`); storage replaced
    /// by growth meanwhile stays mapped until the last one finishes.
    private let pins = Mutex<(count: Int, retired: [(address: UInt, bytes: Int)])>((0, []))

    private let levelCounter = Atomic<UInt64>(0)
    private let levelSeed: UInt64
    private let scratchPool = Mutex<[SearchScratch]>([])

    /// `directory` holds an int8 index's unnamed vector file.
    init(params: IndexParams, seed: UInt64 = 0x5EED_1234_ABCD_0001, directory: String = NSTemporaryDirectory()) throws {
        dims = params.dims
        metric = params.metric
        quantization = params.quantization
        m = params.m
        m0 = 2 * params.m
        efConstruction = max(params.efConstruction, params.m)
        levelMultiplier = 1 / log(Double(params.m))
        levelSeed = seed
        vectorBytes = params.dims * 4
        switch params.quantization {
        case .float:
            normOffset = 0
            linkOffset = (vectorBytes + 3) & ~3
            fullVectors = nil
        case .int8:
            normOffset = (params.dims + 3) & ~3
            linkOffset = normOffset + 4
            fullVectors = try FileBackedVectors(directory: directory)
        }
        nodeStride = (linkOffset + (m0 + 1) * 4 + 63) & ~63
    }

    deinit {
        if let storage { munmap(storage, storageBytes) }
        for p in upperLinks { p?.deallocate() }
    }

    var params: IndexParams {
        IndexParams(dims: dims, metric: metric, m: m, efConstruction: efConstruction, quantization: quantization)
    }
    var nodeCount: Int { lock.withReadLock { count } }
    var live: Int { lock.withReadLock { liveCount } }
    var tombstones: Int { lock.withReadLock { count - liveCount } }

    // MARK: raw access (caller holds the lock)

    /// The node's full-precision vector.
    @inline(__always)
    func vector(_ node: UInt32) -> UnsafeMutablePointer<Float> {
        if let fullVectors { return (fullVectors.base + Int(node) &* vectorBytes).assumingMemoryBound(to: Float.self) }
        return (storage! + Int(node) &* nodeStride).assumingMemoryBound(to: Float.self)
    }

    /// Where `D` finds node n's bytes: `base + n·stride` (the records, or the full vectors of an
    /// int8 index when `D` wants full precision).
    @inline(__always)
    func distanceSpace<D: NodeDistance>(_: D.Type) -> (base: UnsafeRawPointer, stride: Int) {
        if !D.readsCodes, let fullVectors { return (UnsafeRawPointer(fullVectors.base), vectorBytes) }
        return (UnsafeRawPointer(storage!), nodeStride)
    }

    /// The neighbour list of `node` on `layer`: element 0 is the count, then the ids.
    @inline(__always)
    func links(_ node: UInt32, _ layer: Int) -> UnsafeMutablePointer<UInt32> {
        if layer == 0 {
            return (storage! + Int(node) &* nodeStride + linkOffset).assumingMemoryBound(to: UInt32.self)
        }
        return upperLinks[Int(node)]! + (layer - 1) * (m + 1)
    }

    /// Snapshot loading: storage for `n` records (caller holds the write lock).
    func reserveUnlocked(_ n: Int) { growStorage(to: n) }
    func setCount(_ n: Int) { count = n }
    func restoreCounters(live: Int, entryPoint ep: UInt32, maxLevel top: Int, metadataBytes bytes: Int) {
        lock.withWriteLock {
            liveCount = live
            entryPoint = ep
            maxLevel = top
            metadataBytes = bytes
        }
    }

    func reserveCapacity(_ wanted: Int) {
        lock.withWriteLock { growStorage(to: wanted) }
    }

    private func growStorage(to wanted: Int) {
        guard wanted > capacity else { return }
        // Geometric growth even for explicit reservations, so batch after batch of a bulk
        // ingest does not copy (and fault in) the whole block each time.
        let newCapacity = max(wanted, capacity + capacity / 2, 1024)
        let bytes = newCapacity * nodeStride
        // Anonymous memory advised for transparent huge pages: graph walks touch nodes at random
        // across the whole block, and 2 MiB pages spare most of the TLB misses 4 KiB pages cost.
        let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let fresh = mapped, fresh != MAP_FAILED else {
            fatalError("vectord: cannot map \(bytes) bytes for \(newCapacity) index nodes (errno \(errno))")
        }
        _ = madvise(fresh, bytes, MADV_HUGEPAGE)
        if let old = storage {
            fresh.copyMemory(from: old, byteCount: count * nodeStride)
            let oldBytes = storageBytes
            pins.withLock { p in
                if p.count > 0 { p.retired.append((UInt(bitPattern: old), oldBytes)) } else { munmap(old, oldBytes) }
            }
        }
        storage = fresh
        storageBytes = bytes
        capacity = newCapacity
        levels.reserveCapacity(newCapacity)
        upperLinks.reserveCapacity(newCapacity)
        deleted.reserveCapacity(newCapacity)
        externalIDs.reserveCapacity(newCapacity)
        metadata.reserveCapacity(newCapacity)
    }

    /// Appends a node record with empty neighbour lists (caller holds the write lock).
    func appendNode(vector: UnsafePointer<Float>, level: Int, id: String, metadata meta: [String: JSONValue]?, isDeleted: Bool)
        -> UInt32
    {
        if count == capacity { growStorage(to: count + 1) }
        let node = UInt32(count)
        let record = storage! + count * nodeStride
        if let fullVectors {
            fullVectors.ensure((count + 1) * vectorBytes)
            (fullVectors.base + count * vectorBytes).copyMemory(from: vector, byteCount: vectorBytes)
            if let quantizer {
                let norm = quantizer.encode(vector, into: record.assumingMemoryBound(to: UInt8.self))
                record.storeBytes(of: norm, toByteOffset: normOffset, as: Float.self)
            }
        } else {
            record.copyMemory(from: vector, byteCount: vectorBytes)
        }
        (record + linkOffset).assumingMemoryBound(to: UInt32.self).pointee = 0
        levels.append(UInt8(level))
        if level > 0 {
            let upper = UnsafeMutablePointer<UInt32>.allocate(capacity: level * (m + 1))
            for l in 0..<level { upper[l * (m + 1)] = 0 }
            upperLinks.append(upper)
        } else {
            upperLinks.append(nil)
        }
        deleted.append(isDeleted)
        externalIDs.append(id)
        metadata.append(meta.map(MetadataJSON.encode))
        count += 1
        return node
    }

    // MARK: levels

    /// Draws a level with P(level ≥ l) = m^-l (mL = 1/ln m), deterministic in insertion order.
    func randomLevel() -> Int {
        let n = levelCounter.wrappingAdd(1, ordering: .relaxed).oldValue
        var z = levelSeed &+ n &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let u = (Double(z >> 11) + 1) / Double(1 << 53)  // (0, 1]
        return min(Int(-log(u) * levelMultiplier), 30)
    }

    // MARK: scratch

    func acquireScratch() -> SearchScratch {
        let s = scratchPool.withLock { $0.popLast() } ?? SearchScratch()
        return s
    }

    func releaseScratch(_ s: SearchScratch) {
        scratchPool.withLock { pool in if pool.count < 64 { pool.append(s) } }
    }

    // MARK: search primitives (caller holds the lock)

    /// Greedy descent on one upper layer: follows any closer neighbour until none is.
    @inline(__always)
    func greedyClosest<D: NodeDistance>(_ dist: D, from start: UInt32, distance: Float, layer: Int, scratch: SearchScratch)
        -> (UInt32, Float)
    {
        var current = start, best = distance
        let (base, stride) = distanceSpace(D.self)
        var changed = true
        while changed {
            changed = false
            let list = links(current, layer)
            let n = Int(list[0])
            // Overlap the neighbours' cache misses (see searchLayer).
            var t = 1
            while t <= n {
                prefetch(base + Int(list[t]) &* stride, bytes: dist.prefetchBytes &+ dist.tailPrefetchBytes)
                t &+= 1
            }
            var j = 1
            while j <= n {
                let candidate = list[j]
                j &+= 1
                let d = dist.distance(base + Int(candidate) &* stride)
                if d < best {
                    best = d
                    current = candidate
                    changed = true
                }
            }
        }
        return (current, best)
    }

    /// Asks the caches for the lines holding `bytes` bytes from `p`, without waiting for them.
    @inline(__always)
    func prefetch(_ p: UnsafeRawPointer, bytes: Int) {
        var offset = 0
        repeat {
            lakehouse_prefetch(p + offset)
            offset &+= 64
        } while offset < bytes
    }

    /// Best-first search of one layer (Malkov & Yashunin, algorithm 2). Leaves up to `ef` results
    /// in `scratch.results` (a max-heap). With `acceptAll` false, tombstoned nodes and nodes outside
    /// `allowed` (a bitset, when given) are traversed but not returned; the search then continues
    /// until it holds `ef` acceptable results or runs out of candidates.
    func searchLayer<D: NodeDistance>(
        _ dist: D, entry: UInt32, entryDistance: Float, ef: Int, layer: Int,
        scratch: SearchScratch, acceptAll: Bool, allowed: UnsafePointer<UInt64>?, visibleLimit: Int = Int.max, yieldEvery: Int = 0
    ) {
        scratch.prepare(nodeCount: count)
        var visited = scratch.visited!
        let epoch = scratch.epoch
        var results = scratch.results
        var candidates = scratch.candidates
        results.removeAll()
        candidates.removeAll()
        var tomb = deleted.withUnsafeBufferPointer { $0.baseAddress! }
        let filtered = !acceptAll && (allowed != nil || liveCount != count || visibleLimit < count)

        @inline(__always) func accepts(_ n: UInt32) -> Bool {
            // Unfiltered (no tombstones, no filter, all visible): no per-node lookups at all.
            if acceptAll || !filtered { return true }
            if Int(n) >= visibleLimit || tomb[Int(n)] { return false }
            if let allowed { return allowed[Int(n) >> 6] & (1 << UInt64(n & 63)) != 0 }
            return true
        }

        var lowerBound: Float
        if accepts(entry) {
            results.push(Neighbor(distance: entryDistance, node: entry))
            lowerBound = entryDistance
        } else {
            lowerBound = .greatestFiniteMagnitude
        }
        candidates.push(Neighbor(distance: -entryDistance, node: entry))
        visited[Int(entry)] = epoch

        // Hoisted out of the loop: the class's stored properties could otherwise be reloaded on
        // every access, since writes through raw pointers might alias them.
        var base = UnsafeRawPointer(storage!)
        var space = distanceSpace(D.self)
        let stride = nodeStride
        let linkBytes = linkOffset
        let prefetchBytes = dist.prefetchBytes
        let tailBytes = dist.tailPrefetchBytes
        let ahead = dist.lookahead
        // The unvisited neighbours of the node being expanded.
        let pending = UnsafeMutablePointer<UInt32>.allocate(capacity: max(m0, m) + 1)
        defer { pending.deallocate() }
        var expansions = 0

        while !candidates.isEmpty {
            if yieldEvery > 0 {
                expansions &+= 1
                if expansions % yieldEvery == 0 {
                    // Inserts hold the read lock through a long search; yielding now and then
                    // lets another insert's short commit in instead of waiting for all of it.
                    // Afterwards nodes may have been added and storage moved: reload.
                    lock.yieldReadLock()
                    base = UnsafeRawPointer(storage!)
                    space = distanceSpace(D.self)
                    tomb = deleted.withUnsafeBufferPointer { $0.baseAddress! }
                    scratch.grow(nodeCount: count)
                    visited = scratch.visited!
                }
            }
            let current = candidates.top
            let currentDistance = -current.distance
            if currentDistance > lowerBound && (results.count >= ef || !filtered) { break }
            candidates.pop()
            let list: UnsafePointer<UInt32> = layer == 0
                ? (base + Int(current.node) &* stride + linkBytes).assumingMemoryBound(to: UInt32.self)
                : UnsafePointer(links(current.node, layer))
            // The likely next node to expand: its neighbour list arrives while this one's are measured.
            if layer == 0 && !candidates.isEmpty {
                prefetch(base + Int(candidates.top.node) &* stride + linkBytes, bytes: (m0 + 1) * 4)
            }
            let n = Int(list[0])
            // Gather the unvisited neighbours (marking them visited) and prefetch the leading
            // bytes of each before computing any distance, so their cache misses overlap instead
            // of being paid one after another.
            var fresh = 0
            var t = 1
            while t <= n {
                let neighbor = list[t]
                t &+= 1
                if visited[Int(neighbor)] != epoch {
                    visited[Int(neighbor)] = epoch
                    pending[fresh] = neighbor
                    fresh &+= 1
                    prefetch(space.base + Int(neighbor) &* space.stride, bytes: prefetchBytes)
                }
            }
            var j = 0
            while j < fresh {
                let neighbor = pending[j]
                // The rest of a neighbour a little further on, so its lines are on their way
                // before its distance is due.
                if tailBytes > 0 && j &+ ahead < fresh {
                    prefetch(space.base + Int(pending[j &+ ahead]) &* space.stride + prefetchBytes, bytes: tailBytes)
                }
                j &+= 1
                let d = dist.distance(space.base + Int(neighbor) &* space.stride)
                if results.count < ef || d < lowerBound {
                    candidates.push(Neighbor(distance: -d, node: neighbor))
                    if accepts(neighbor) {
                        results.push(Neighbor(distance: d, node: neighbor))
                        if results.count > ef { results.pop() }
                    }
                    if !results.isEmpty { lowerBound = results.top.distance }
                }
            }
        }
        scratch.results = results
        scratch.candidates = candidates
    }

    /// Algorithm 4 (the neighbour-selection heuristic, without extension or kept pruned
    /// connections, as in the paper's recommended setting): walk candidates nearest first and keep
    /// one only if it is closer to the base than to every neighbour already kept. This keeps links
    /// pointing in diverse directions, which is what makes clustered data navigable.
    /// `sorted` must be ascending by distance to the base element.
    /// `pending` is the vector of a node not yet in storage, named by `HNSWIndex.pendingNode`.
    func selectNeighbors<K: DistanceKernel>(_: K.Type, _ sorted: [Neighbor], max limit: Int,
                                            pending: UnsafePointer<Float>? = nil) -> [Neighbor] {
        if sorted.count <= limit { return sorted }
        @inline(__always) func vec(_ n: UInt32) -> UnsafePointer<Float> {
            if n == Self.pendingNode, let pending { return pending }
            return UnsafePointer(vector(n))
        }
        var kept: [Neighbor] = []
        kept.reserveCapacity(limit)
        for candidate in sorted {
            if kept.count >= limit { break }
            let cv = vec(candidate.node)
            var good = true
            for k in kept where K.distance(cv, vec(k.node), dims) < candidate.distance {
                good = false
                break
            }
            if good { kept.append(candidate) }
        }
        return kept
    }

    // MARK: insert

    /// Neighbours found for a node about to be inserted, per layer (index 0 = layer 0).
    struct PreparedInsert {
        var level: Int
        var neighbors: [[UInt32]]
        /// Per layer, per chosen neighbour: how its own list will take the back link.
        var backLinks: [[BackLinkPlan]]
        var graphWasEmpty: Bool
    }

    /// The id standing for the node being inserted before it has one.
    static let pendingNode = UInt32.max

    /// The back link `neighbor → new node`, worked out under the read lock: the neighbour's list
    /// as it was then, and (when that list is full) its re-selected replacement, with
    /// `pendingNode` for the new node. Commit applies it only if the list is still as expected,
    /// so the costly pruning runs in parallel and the write lock only copies ids.
    struct BackLinkPlan {
        var neighbor: UInt32
        var expected: [UInt32]
        var replacement: [UInt32]?
    }

    /// Phase one of an insert, under the read lock: descend from the entry point and pick the new
    /// node's neighbours on each of its layers.
    func prepareInsert(_ q: UnsafePointer<Float>, level: Int) -> PreparedInsert {
        switch metric {
        case .cosine: prepareInsert(CosineKernel.self, q, level: level)
        case .dot: prepareInsert(DotKernel.self, q, level: level)
        case .euclidean: prepareInsert(EuclideanKernel.self, q, level: level)
        }
    }

    private func prepareInsert<K: DistanceKernel>(_ kernel: K.Type, _ q: UnsafePointer<Float>, level: Int) -> PreparedInsert {
        lock.withReadLock {
            guard count > 0 else { return PreparedInsert(level: level, neighbors: [], backLinks: [], graphWasEmpty: true) }
            let scratch = acquireScratch()
            defer { releaseScratch(scratch) }
            let dist = ExactDistance<K>(q: q, dims: dims)
            var ep = entryPoint
            var epDistance = K.distance(q, vector(ep), dims)
            let top = maxLevel
            if top > level {
                for layer in stride(from: top, to: level, by: -1) {
                    (ep, epDistance) = greedyClosest(dist, from: ep, distance: epDistance, layer: layer, scratch: scratch)
                }
            }
            var neighbors = [[UInt32]](repeating: [], count: min(level, top) + 1)
            var backLinks = [[BackLinkPlan]](repeating: [], count: min(level, top) + 1)
            for layer in stride(from: min(level, top), through: 0, by: -1) {
                searchLayer(dist, entry: ep, entryDistance: epDistance, ef: efConstruction, layer: layer,
                            scratch: scratch, acceptAll: true, allowed: nil, yieldEvery: 16)
                let found = scratch.results.sortedAscending()
                let selected = selectNeighbors(kernel, found, max: m)
                neighbors[layer] = selected.map(\.node)
                backLinks[layer] = selected.map { planBackLink(kernel, q, neighbor: $0.node, distance: $0.distance, layer: layer) }
                ep = found[0].node
                epDistance = found[0].distance
            }
            return PreparedInsert(level: level, neighbors: neighbors, backLinks: backLinks, graphWasEmpty: false)
        }
    }

    enum CommitOutcome { case committed(UInt32), stale, retired }

    /// Phase two of an insert, under the write lock: append the node, link it both ways (pruning
    /// overfull neighbour lists with the heuristic), replace any earlier node with the same id, and
    /// run `whileLocked` (the write-ahead-log append, returning the record's sequence number, 0 for
    /// an already durable change) so log order equals apply order. The node turns visible once that
    /// number is durable (`visibility`).
    func commitInsert(
        _ prepared: PreparedInsert, vector q: UnsafePointer<Float>, id: String, metadata meta: [String: JSONValue],
        metadataBytes extraBytes: Int, whileLocked: () -> UInt64
    ) -> CommitOutcome {
        lock.withWriteLock {
            commitInsertLocked(prepared, vector: q, id: id, metadata: meta, metadataBytes: extraBytes, whileLocked: whileLocked)
        }
    }

    /// `commitInsert` for a caller already holding the write lock: a bulk insert commits several
    /// prepared nodes under one acquisition, so two busy inserters hand the lock over a few times
    /// less often (every handover puts both to sleep and wakes them, which costs more than a commit).
    func commitInsertLocked(
        _ prepared: PreparedInsert, vector q: UnsafePointer<Float>, id: String, metadata meta: [String: JSONValue],
        metadataBytes extraBytes: Int, whileLocked: () -> UInt64
    ) -> CommitOutcome {
        if retired { return .retired }
        if prepared.graphWasEmpty != (count == 0) { return .stale }
        let node = appendNode(vector: q, level: prepared.level, id: id, metadata: meta, isDeleted: false)
        switch metric {
        case .cosine: link(CosineKernel.self, node, prepared)
        case .dot: link(DotKernel.self, node, prepared)
        case .euclidean: link(EuclideanKernel.self, node, prepared)
        }
        if let old = idToNode[id] { tombstone(old) }
        idToNode[id] = node
        postings.add(node: node, metadata: meta)
        liveCount += 1
        metadataBytes += extraBytes
        if count == 1 || prepared.level > maxLevel {
            entryPoint = node
            maxLevel = prepared.level
        }
        let lsn = whileLocked()
        capturedChanges?.append(.upsert(id: id, vector: Array(UnsafeBufferPointer(start: q, count: dims)), metadata: meta,
                                        lsn: lsn))
        visibility.committed(node: node, lsn: lsn)
        return .committed(node)
    }

    private func planBackLink<K: DistanceKernel>(_ kernel: K.Type, _ q: UnsafePointer<Float>, neighbor: UInt32,
                                                  distance: Float, layer: Int) -> BackLinkPlan {
        let list = links(neighbor, layer)
        let n = Int(list[0])
        let expected = Array(UnsafeBufferPointer(start: list + 1, count: n))
        guard n >= (layer == 0 ? m0 : m) else { return BackLinkPlan(neighbor: neighbor, expected: expected, replacement: nil) }
        let base = vector(neighbor)
        var candidates: [Neighbor] = []
        candidates.reserveCapacity(n + 1)
        candidates.append(Neighbor(distance: distance, node: Self.pendingNode))
        for other in expected { candidates.append(Neighbor(distance: K.distance(base, vector(other), dims), node: other)) }
        candidates.sort { $0.distance < $1.distance }
        let kept = selectNeighbors(kernel, candidates, max: layer == 0 ? m0 : m, pending: q)
        return BackLinkPlan(neighbor: neighbor, expected: expected, replacement: kept.map(\.node))
    }

    private func link<K: DistanceKernel>(_ kernel: K.Type, _ node: UInt32, _ prepared: PreparedInsert) {
        for (layer, neighbors) in prepared.neighbors.enumerated() where layer <= prepared.level {
            let own = links(node, layer)
            own[0] = UInt32(neighbors.count)
            for (i, n) in neighbors.enumerated() { own[1 + i] = n }
            let limit = layer == 0 ? m0 : m
            for plan in prepared.backLinks[layer] {
                let list = links(plan.neighbor, layer)
                let n = Int(list[0])
                var unchanged = n == plan.expected.count
                var j = 0
                while unchanged && j < n {
                    unchanged = list[1 + j] == plan.expected[j]
                    j += 1
                }
                guard unchanged else {
                    // Another insert changed this list since the plan: decide again, here.
                    addLink(kernel, from: plan.neighbor, to: node, layer: layer, limit: limit)
                    continue
                }
                if let replacement = plan.replacement {
                    for (i, id) in replacement.enumerated() { list[1 + i] = id == Self.pendingNode ? node : id }
                    list[0] = UInt32(replacement.count)
                } else {
                    list[1 + n] = node
                    list[0] = UInt32(n + 1)
                }
            }
        }
    }

    /// Adds the edge `from → to`; a full list is re-selected with the heuristic over its old
    /// members plus the new one.
    private func addLink<K: DistanceKernel>(_ kernel: K.Type, from: UInt32, to: UInt32, layer: Int, limit: Int) {
        let list = links(from, layer)
        let n = Int(list[0])
        for j in 0..<n where list[1 + j] == to { return }
        if n < limit {
            list[1 + n] = to
            list[0] = UInt32(n + 1)
            return
        }
        let base = vector(from)
        var candidates: [Neighbor] = []
        candidates.reserveCapacity(n + 1)
        candidates.append(Neighbor(distance: K.distance(base, vector(to), dims), node: to))
        for j in 0..<n {
            let other = list[1 + j]
            candidates.append(Neighbor(distance: K.distance(base, vector(other), dims), node: other))
        }
        candidates.sort { $0.distance < $1.distance }
        let kept = selectNeighbors(kernel, candidates, max: limit)
        for (i, k) in kept.enumerated() { list[1 + i] = k.node }
        list[0] = UInt32(kept.count)
    }

    /// Marks a node deleted: it stays in the graph as a waypoint but is never returned.
    private func tombstone(_ node: UInt32) {
        guard !deleted[Int(node)] else { return }
        deleted[Int(node)] = true
        metadata[Int(node)] = nil
        liveCount -= 1
    }

    /// Deletes `id` if present, running `whileLocked` (the log append) only when it was.
    func delete(id: String, whileLocked: () -> Void) -> CommitOutcome? {
        lock.withWriteLock {
            if retired { return .retired }
            guard let node = idToNode.removeValue(forKey: id) else { return nil }
            tombstone(node)
            capturedChanges?.append(.delete(id: id))
            whileLocked()
            return .committed(node)
        }
    }

    /// Applies an upsert without logging (recovery and compaction replay); `lsn` is the record's
    /// sequence number when it may not be durable yet (a compaction's catch-up), else 0.
    func insertUnlogged(vector: UnsafePointer<Float>, id: String, metadata: [String: JSONValue], metadataBytes: Int,
                        lsn: UInt64 = 0) {
        let level = randomLevel()
        while true {
            let prepared = prepareInsert(vector, level: level)
            switch commitInsert(prepared, vector: vector, id: id, metadata: metadata, metadataBytes: metadataBytes,
                                whileLocked: { lsn }) {
            case .committed, .retired: return
            case .stale: continue
            }
        }
    }

    // MARK: reads

    func item(id: String) -> (vector: [Float], metadata: [String: JSONValue])? {
        lock.withReadLock {
            guard let node = idToNode[id], Int(node) < visibility.limit else { return nil }
            return (Array(UnsafeBufferPointer(start: vector(node), count: dims)), metadata[Int(node)].map(MetadataJSON.decode) ?? [:])
        }
    }

    /// The k nearest live items to `q` (already normalised for cosine), nearest first, resolved to
    /// ids and metadata under the same read lock. Unfiltered: exact scan below `limits.exactBelow`
    /// live items, else the graph with breadth max(ef, k), widened if tombstones leave it short.
    /// Filtered: the matching set is found exactly (postings), then scanned exactly or searched in
    /// the graph as `FilteredSearchPlan` chooses by cost, with an exact fallback when the graph
    /// comes back with fewer than k matches.
    func search(_ q: UnsafePointer<Float>, k: Int, ef: Int, filter: MetadataFilter?, limits: SearchLimits)
        -> [SearchHit]
    {
        lock.withReadLock {
            let hits: [NodeHit] = switch metric {
            case .cosine: search(CosineKernel.self, q, k: k, ef: ef, filter: filter, limits: limits)
            case .dot: search(DotKernel.self, q, k: k, ef: ef, filter: filter, limits: limits)
            case .euclidean:
                search(EuclideanKernel.self, q, k: k, ef: ef, filter: filter, limits: limits)
            }
            return hits.map { hit in
                let distance = metric == .euclidean ? hit.distance.squareRoot() : hit.distance
                return SearchHit(id: externalIDs[Int(hit.node)], score: metric.score(fromDistance: hit.distance),
                                 distance: distance, metadataJSON: metadata[Int(hit.node)] ?? MetadataJSON.empty)
            }
        }
    }

    private func search<K: DistanceKernel>(
        _ kernel: K.Type, _ q: UnsafePointer<Float>, k: Int, ef: Int, filter: MetadataFilter?, limits: SearchLimits
    ) -> [NodeHit] {
        // Nodes at or above the watermark are not durable yet: waypoints, never results.
        let visible = min(visibility.limit, count)
        let visibleLive = liveCount - (count - visible)
        guard visibleLive > 0 else { return [] }
        guard let filter, !filter.isEmpty else {
            if liveCount < limits.exactBelow {
                return BruteForceSearch.topK(kernel, index: self, q, k: k, nodes: 0..<UInt32(visible), skipDeleted: true)
            }
            var breadth = max(ef, k)
            while true {
                let hits = graphSearch(kernel, q, k: k, ef: breadth, allowed: nil, visibleLimit: visible)
                // Tombstones can crowd out live results; widen, and finally scan exactly.
                if hits.count >= min(k, visibleLive) { return hits }
                if breadth >= limits.maxEF || breadth >= count {
                    return BruteForceSearch.topK(kernel, index: self, q, k: k, nodes: 0..<UInt32(visible), skipDeleted: true)
                }
                breadth = min(breadth * 4, limits.maxEF)
            }
        }
        // Filtered: find the exact set of matching live nodes first.
        let matching = matchingNodes(filter, visible: visible)
        if matching.isEmpty { return [] }
        switch FilteredSearchPlan.choose(matching: matching.count, live: visibleLive, k: k, ef: ef,
                                         exactFilterBelow: limits.exactFilterBelow, maxEF: limits.maxEF,
                                         walkCost: limits.filterWalkCost) {
        case .exact:
            return BruteForceSearch.topK(kernel, index: self, q, k: k, nodes: matching, skipDeleted: false)
        case .graph(let breadth):
            let words = (count + 63) / 64
            var bitset = [UInt64](repeating: 0, count: words)
            for n in matching { bitset[Int(n) >> 6] |= 1 << UInt64(n & 63) }
            let hits = bitset.withUnsafeBufferPointer {
                graphSearch(kernel, q, k: k, ef: breadth, allowed: $0.baseAddress, visibleLimit: visible)
            }
            if hits.count >= min(k, matching.count) { return hits }
            return BruteForceSearch.topK(kernel, index: self, q, k: k, nodes: matching, skipDeleted: false)
        }
    }

    /// The visible live nodes matching `filter`, ascending (caller holds the read lock). The
    /// postings answer the scalar clauses; metadata is parsed only to check the clauses they cannot
    /// answer (a list or object value), and only for the nodes the scalar clauses leave. A filter
    /// with no scalar clause at all parses every visible node's metadata: O(index) per search.
    private func matchingNodes(_ filter: MetadataFilter, visible: Int) -> [UInt32] {
        let narrowed = postings.narrow(by: filter)
        let residual = narrowed.residual
        var matching: [UInt32] = []
        if let candidates = narrowed.candidates {
            matching.reserveCapacity(candidates.count)
            for n in candidates where Int(n) < visible && !deleted[Int(n)] {
                if residual.isEmpty || residual.matches(metadata[Int(n)].map(MetadataJSON.decode)) { matching.append(n) }
            }
        } else {
            for n in 0..<visible where !deleted[n] && residual.matches(metadata[n].map(MetadataJSON.decode)) {
                matching.append(UInt32(n))
            }
        }
        return matching
    }

    /// Descends the upper layers greedily, then searches layer 0 with breadth `ef` (caller holds
    /// the read lock). A trained int8 index walks the codes and re-ranks its best candidates with
    /// the full-precision vectors.
    private func graphSearch<K: DistanceKernel>(_ kernel: K.Type, _ q: UnsafePointer<Float>, k: Int, ef: Int,
                                                allowed: UnsafePointer<UInt64>?, visibleLimit: Int) -> [NodeHit] {
        let scratch = acquireScratch()
        defer { releaseScratch(scratch) }
        guard let quantizer else {
            walk(ExactDistance<K>(q: q, dims: dims), q, k: k, ef: ef, allowed: allowed, visibleLimit: visibleLimit, scratch: scratch)
            while scratch.results.count > k { scratch.results.pop() }
            return scratch.results.sortedAscending().map { NodeHit(node: $0.node, distance: $0.distance) }
        }
        let codes = scratch.queryCodes(dims)
        let (bias, step) = quantizer.prepare(q, codes: codes)
        let queryNorm = metric == .euclidean ? DistanceKernels.dot(q, q, dims) : 0
        walk(CodeDistance(query: codes, bias: bias, step: step, dims: dims, metric: metric, queryNorm: queryNorm, normOffset: normOffset),
             q, k: k, ef: ef, allowed: allowed, visibleLimit: visibleLimit, scratch: scratch)
        // The codes rank well enough that the true k nearest sit among the first few multiples of
        // k: re-rank those (each re-rank reads a full-precision vector from the file-backed map).
        let candidates = Array(scratch.results.sortedAscending().prefix(max(4 * k, 40)))
        // Each full-precision vector is many lines in its own 4 KiB page of a file-backed map: ask
        // for every first line at once (the page walks overlap), then for the whole next vector
        // while computing this one's distance.
        for c in candidates { lakehouse_prefetch(vector(c.node)) }
        var reranked: [NodeHit] = []
        reranked.reserveCapacity(candidates.count)
        for (i, c) in candidates.enumerated() {
            if i + 1 < candidates.count { prefetch(vector(candidates[i + 1].node), bytes: vectorBytes) }
            reranked.append(NodeHit(node: c.node, distance: K.distance(q, vector(c.node), dims)))
        }
        reranked.sort { $0.distance < $1.distance }
        return Array(reranked.prefix(k))
    }

    private func walk<D: NodeDistance>(_ dist: D, _ q: UnsafePointer<Float>, k: Int, ef: Int, allowed: UnsafePointer<UInt64>?,
                                       visibleLimit: Int, scratch: SearchScratch) {
        var ep = entryPoint
        let space = distanceSpace(D.self)
        var epDistance = dist.distance(space.base + Int(ep) &* space.stride)
        for layer in stride(from: maxLevel, to: 0, by: -1) {
            (ep, epDistance) = greedyClosest(dist, from: ep, distance: epDistance, layer: layer, scratch: scratch)
        }
        searchLayer(dist, entry: ep, entryDistance: epDistance, ef: ef, layer: 0, scratch: scratch,
                    acceptAll: false, allowed: allowed, visibleLimit: visibleLimit)
    }

    // MARK: int8

    /// Installs the quantiser of an int8 index and encodes every node with it (write lock). The
    /// caller persists it first, so recovery finds the same parameters.
    func install(_ q: ScalarQuantizer) {
        precondition(quantization == .int8 && q.dims == dims)
        lock.withWriteLock {
            for node in 0..<count {
                let record = storage! + node * nodeStride
                let norm = q.encode(vector(UInt32(node)), into: record.assumingMemoryBound(to: UInt8.self))
                record.storeBytes(of: norm, toByteOffset: normOffset, as: Float.self)
            }
            quantizer = q
        }
    }

    /// Installs a quantiser whose codes the records already hold (snapshot load).
    func restore(_ q: ScalarQuantizer) { lock.withWriteLock { quantizer = q } }

    // MARK: snapshots

    /// What a snapshot writes, captured under the read lock in O(1): the arrays are copy-on-write
    /// values (a later commit copies, not this image), the raw node records and upper-layer lists
    /// are read afterwards without the lock. Vectors never change once written; neighbour lists may
    /// change meanwhile, so the image's links are "fuzzy" (some from later commits, possibly naming
    /// nodes past `count`, which loading drops). Replaying the log after the image's generation
    /// re-applies every change made after the capture, so recovery is exact in items and ids, and
    /// the graph is as good. Storage replaced by growth stays mapped until `releaseImage`.
    struct Image {
        var count: Int
        var liveCount: Int
        var entryPoint: UInt32
        var maxLevel: Int
        var metadataBytes: Int
        var levels: [UInt8]
        var deleted: [Bool]
        var upperLinks: [UnsafeMutablePointer<UInt32>?]
        var externalIDs: [String]
        var metadata: [[UInt8]?]
        var records: UnsafeRawPointer?
        var fullVectors: UnsafeRawPointer?
        var quantizer: ScalarQuantizer?
    }

    /// Caller holds the read lock; must call `releaseImage` when done.
    func captureImage() -> Image {
        pins.withLock { $0.count += 1 }
        return Image(count: count, liveCount: liveCount, entryPoint: entryPoint, maxLevel: maxLevel, metadataBytes: metadataBytes,
                     levels: levels, deleted: deleted, upperLinks: upperLinks, externalIDs: externalIDs, metadata: metadata,
                     records: storage.map { UnsafeRawPointer($0) }, fullVectors: fullVectors.map { UnsafeRawPointer($0.base) },
                     quantizer: quantizer)
    }

    func releaseImage() {
        let retired: [(address: UInt, bytes: Int)] = pins.withLock { p in
            p.count -= 1
            guard p.count == 0 else { return [] }
            defer { p.retired = [] }
            return p.retired
        }
        for (address, bytes) in retired { munmap(UnsafeMutableRawPointer(bitPattern: address), bytes) }
    }

    // MARK: compaction support

    /// A change committed while a compaction was copying this index.
    enum CapturedChange {
        case upsert(id: String, vector: [Float], metadata: [String: JSONValue], lsn: UInt64)
        case delete(id: String)
    }

    /// Approximate memory held by this index.
    var approximateBytes: Int {
        lock.withReadLock {
            // int8: the full-precision vectors are file-backed, outside this figure
            // (`mappedVectorBytes`).
            var total = capacity * nodeStride
            for (node, level) in levels.enumerated() where level > 0 { _ = node; total += Int(level) * (m + 1) * 4 }
            total += capacity * (1 + 8 + 16 + 8)  // levels, upper pointers, ids, metadata slots
            total += idToNode.count * 48 + metadataBytes + postings.approximateBytes
            return total
        }
    }
}

/// Per-search working memory, pooled: a visited table stamped with an epoch (so clearing is
/// free), and the two heaps of best-first search.
final class SearchScratch: @unchecked Sendable {
    var visited: UnsafeMutablePointer<UInt16>?
    var visitedCapacity = 0
    var epoch: UInt16 = 0
    private var query: UnsafeMutablePointer<Int8>?
    private var queryCapacity = 0

    /// A buffer of `n` bytes for the quantised query of an int8 search.
    func queryCodes(_ n: Int) -> UnsafeMutablePointer<Int8> {
        if n > queryCapacity {
            query?.deallocate()
            query = .allocate(capacity: n)
            queryCapacity = n
        }
        return query!
    }
    var candidates = NeighborHeap()
    var results = NeighborHeap()

    deinit {
        query?.deallocate()
        visited?.deallocate()
        candidates.deallocate()
        results.deallocate()
    }

    /// Widens the visited table to `nodeCount` nodes mid-search, keeping its marks.
    func grow(nodeCount: Int) {
        guard nodeCount > visitedCapacity else { return }
        let cap = max(nodeCount + nodeCount / 2, 1024)
        let fresh = UnsafeMutablePointer<UInt16>.allocate(capacity: cap)
        fresh.initialize(repeating: 0, count: cap)
        if let old = visited {
            fresh.update(from: old, count: visitedCapacity)
            old.deallocate()
        }
        visited = fresh
        visitedCapacity = cap
    }

    /// Starts a new search over `nodeCount` nodes.
    func prepare(nodeCount: Int) {
        if nodeCount > visitedCapacity {
            visited?.deallocate()
            let cap = max(nodeCount + nodeCount / 2, 1024)
            visited = .allocate(capacity: cap)
            visited!.initialize(repeating: 0, count: cap)
            visitedCapacity = cap
            epoch = 0
        }
        epoch &+= 1
        if epoch == 0 {
            visited!.update(repeating: 0, count: visitedCapacity)
            epoch = 1
        }
    }
}

/// A binary max-heap of neighbours by distance, on manually managed storage (no bounds checks or
/// copy-on-write in the search loop). A min-heap is the same heap over negated distances.
struct NeighborHeap {
    private var storage: UnsafeMutablePointer<Neighbor>
    private var cap: Int
    private(set) var count = 0

    init() {
        cap = 256
        storage = .allocate(capacity: cap)
    }

    /// Frees the storage; the owner (`SearchScratch`) calls this once, from its deinit.
    func deallocate() { storage.deallocate() }

    var isEmpty: Bool { count == 0 }
    var top: Neighbor { storage[0] }

    mutating func removeAll() { count = 0 }

    @inline(__always)
    mutating func push(_ x: Neighbor) {
        if count == cap {
            let bigger = UnsafeMutablePointer<Neighbor>.allocate(capacity: cap * 2)
            bigger.moveInitialize(from: storage, count: count)
            storage.deallocate()
            storage = bigger
            cap *= 2
        }
        var i = count
        count &+= 1
        while i > 0 {
            let parent = (i &- 1) >> 1
            if storage[parent].distance >= x.distance { break }
            storage[i] = storage[parent]
            i = parent
        }
        storage[i] = x
    }

    @inline(__always)
    mutating func pop() {
        count &-= 1
        guard count > 0 else { return }
        let x = storage[count]
        var i = 0
        while true {
            var child = i &* 2 &+ 1
            if child >= count { break }
            if child &+ 1 < count && storage[child &+ 1].distance > storage[child].distance { child &+= 1 }
            if storage[child].distance <= x.distance { break }
            storage[i] = storage[child]
            i = child
        }
        storage[i] = x
    }

    /// The heap's contents, nearest first.
    func sortedAscending() -> [Neighbor] {
        var out = Array(UnsafeBufferPointer(start: storage, count: count))
        out.sort { $0.distance < $1.distance }
        return out
    }
}
