import Foundation
import Synchronization

/// The cache key: a model and a text, compared byte for byte.
///
/// Byte equality on purpose: `String ==` treats canonically equivalent texts ("é" and "e\u{301}")
/// as equal, which would let whichever form came first decide the other's cached vector.
public struct EmbedCacheKey: Hashable, Sendable {
    public let model: String
    public let text: String

    public init(model: String, text: String) {
        self.model = model
        self.text = text
    }

    public static func == (a: EmbedCacheKey, b: EmbedCacheKey) -> Bool {
        sameBytes(a.text, b.text) && sameBytes(a.model, b.model)
    }

    /// Swift's seeded hasher over the bytes: per-process seeds keep clients from choosing texts that
    /// collide in the table.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(model.utf8.count)
        Self.combineBytes(model, into: &hasher)
        Self.combineBytes(text, into: &hasher)
    }

    /// Bytes the key itself occupies (its UTF-8), for the cache's byte bound.
    public var byteCount: Int { model.utf8.count + text.utf8.count }

    private static func combineBytes(_ string: String, into hasher: inout Hasher) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil {
            for byte in string.utf8 { hasher.combine(byte) }
        }
    }

    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        let x = a.utf8
        let y = b.utf8
        guard x.count == y.count else { return false }
        let fast: Bool?? = x.withContiguousStorageIfAvailable { p in
            y.withContiguousStorageIfAvailable { q in
                p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0
            }
        }
        if let fast, let equal = fast { return equal }
        return x.elementsEqual(y)
    }
}

/// Counters for `/metrics` and `GET /v1/cache/stats`.
public struct EmbedCacheStats: Sendable, Equatable, Codable {
    public var entries: Int
    public var bytes: Int
    public var capacityBytes: Int
    public var hits: Int
    public var misses: Int
    public var evictions: Int

    enum CodingKeys: String, CodingKey {
        case entries, bytes, hits, misses, evictions
        case capacityBytes = "capacity_bytes"
    }
}

/// In-process LRU of embeddings keyed by (model, text), bounded in bytes (`EMBEDD_CACHE_BYTES`).
///
/// An entry costs its key's UTF-8 bytes, its floats (4 bytes each), its pre-encoded JSON and a fixed
/// `entryOverhead` for the bookkeeping around it; the sum never exceeds the capacity. An entry
/// larger than the whole capacity is not stored; capacity 0 turns the cache off.
///
/// One lock guards a hash map from key to slot and an intrusive doubly linked list threaded through
/// a slot array (recency order), so get, put and evict are O(1) without an allocation per node.
/// `lookup` takes the lock once for a whole request.
public final class EmbedCache: Sendable {
    /// Bookkeeping per entry beyond the counted bytes: the slot, the map's share (key, index and
    /// spare capacity), the vector object's and arrays' headers. An estimate, kept on the high side.
    public static let entryOverhead = 256

    public let capacityBytes: Int
    private let state: Mutex<LRUList>

    public init(capacityBytes: Int) {
        precondition(capacityBytes >= 0, "cache capacity must not be negative")
        self.capacityBytes = capacityBytes
        self.state = Mutex(LRUList())
    }

    /// What an entry counts against the capacity.
    public static func cost(of key: EmbedCacheKey, _ value: EmbeddedVector) -> Int {
        key.byteCount + value.values.count * MemoryLayout<Float>.size + value.json.count + entryOverhead
    }

    /// The cached vector, counting a hit or a miss; a hit becomes the most recently used.
    public func get(_ key: EmbedCacheKey) -> EmbeddedVector? {
        state.withLock { $0.get(key, counting: true) }
    }

    /// `get` for many keys under one lock, results in key order.
    public func lookup(_ keys: [EmbedCacheKey]) -> [EmbeddedVector?] {
        state.withLock { list in keys.map { list.get($0, counting: true) } }
    }

    /// Every key's vector when all are cached (each counted as a hit), or nil — counting nothing —
    /// when any is missing, so the caller's full `lookup` afterwards counts each key exactly once.
    public func lookupAll(_ keys: [EmbedCacheKey]) -> [EmbeddedVector]? {
        state.withLock { list in
            var vectors: [EmbeddedVector] = []
            vectors.reserveCapacity(keys.count)
            for key in keys {
                guard let vector = list.get(key, counting: false) else { return nil }
                vectors.append(vector)
            }
            list.hits += keys.count
            return vectors
        }
    }

    /// Like `get`, but counts nothing: for re-checking a key already counted as a miss.
    func peek(_ key: EmbedCacheKey) -> EmbeddedVector? {
        state.withLock { $0.get(key, counting: false) }
    }

    /// Stores `value` as the most recently used entry, evicting least recently used ones until it fits.
    public func put(_ key: EmbedCacheKey, _ value: EmbeddedVector) {
        let cost = Self.cost(of: key, value)
        guard cost <= capacityBytes else { return }
        state.withLock { $0.put(key, value, cost: cost, capacity: capacityBytes) }
    }

    public var stats: EmbedCacheStats {
        state.withLock { list in
            EmbedCacheStats(
                entries: list.index.count, bytes: list.bytes, capacityBytes: capacityBytes,
                hits: list.hits, misses: list.misses, evictions: list.evictions)
        }
    }
}

/// The cache's state: slots linked in recency order, most recent at `head`.
private struct LRUList {
    struct Slot {
        var key: EmbedCacheKey?
        var value: EmbeddedVector?
        var cost = 0
        var newer: Int32 = -1
        var older: Int32 = -1
    }

    var index: [EmbedCacheKey: Int32] = [:]
    var slots: [Slot] = []
    var freeSlots: [Int32] = []
    var head: Int32 = -1
    var tail: Int32 = -1
    var bytes = 0
    var hits = 0
    var misses = 0
    var evictions = 0

    mutating func get(_ key: EmbedCacheKey, counting: Bool) -> EmbeddedVector? {
        guard let slot = index[key] else {
            if counting { misses += 1 }
            return nil
        }
        if counting { hits += 1 }
        moveToFront(slot)
        return slots[Int(slot)].value
    }

    mutating func put(_ key: EmbedCacheKey, _ value: EmbeddedVector, cost: Int, capacity: Int) {
        if let slot = index[key] {
            // Same key again (two leaders raced past a removed flight): keep one copy, newest value.
            bytes += cost - slots[Int(slot)].cost
            slots[Int(slot)].value = value
            slots[Int(slot)].cost = cost
            moveToFront(slot)
        } else {
            let slot: Int32
            if let free = freeSlots.popLast() {
                slot = free
            } else {
                slot = Int32(slots.count)
                slots.append(Slot())
            }
            slots[Int(slot)].key = key
            slots[Int(slot)].value = value
            slots[Int(slot)].cost = cost
            index[key] = slot
            bytes += cost
            linkAtFront(slot)
        }
        while bytes > capacity, tail != -1 {
            evict(tail)
        }
    }

    private mutating func evict(_ slot: Int32) {
        unlink(slot)
        let i = Int(slot)
        if let key = slots[i].key { index[key] = nil }
        bytes -= slots[i].cost
        slots[i] = Slot()
        freeSlots.append(slot)
        evictions += 1
    }

    private mutating func moveToFront(_ slot: Int32) {
        guard head != slot else { return }
        unlink(slot)
        linkAtFront(slot)
    }

    private mutating func linkAtFront(_ slot: Int32) {
        slots[Int(slot)].older = head
        slots[Int(slot)].newer = -1
        if head != -1 { slots[Int(head)].newer = slot }
        head = slot
        if tail == -1 { tail = slot }
    }

    private mutating func unlink(_ slot: Int32) {
        let newer = slots[Int(slot)].newer
        let older = slots[Int(slot)].older
        if newer != -1 { slots[Int(newer)].older = older } else { head = older }
        if older != -1 { slots[Int(older)].newer = newer } else { tail = newer }
        slots[Int(slot)].newer = -1
        slots[Int(slot)].older = -1
    }
}
