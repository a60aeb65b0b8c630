import Foundation
import LakehouseKit

/// The journal: events in a `RecordLog` (segments `events-<n>.log`), the hash chain, the Merkle
/// tree and the query indexes. Knows nothing of HTTP.
///
/// Appends assign `seq` and chain hashes under one lock (the chain is sequential by nature), queue
/// the records, and return only after the group-committed fsync covers them. Everything read —
/// queries, checkpoints, proofs — sees only events known durable (`durable`).
///
/// Memory per event: its file position, its leaf hash and the tree nodes above it, an id key and
/// three index entries (≈ 150 bytes); event bodies stay on disk and are read back for answers.
final class JournalStore: @unchecked Sendable {
    /// A place where the chain or the tree does not hold, as `/v1/verify` reports it.
    struct BrokenLink: Sendable, Equatable {
        let seq: Int
        let segment: String
        let offset: Int
        let reason: String
    }

    struct Acknowledgement: Sendable {
        let id: String
        let seq: Int
        var hash: SHA256Digest
        let duplicate: Bool
    }

    struct Checkpoint: Sendable {
        let size: Int
        let root: SHA256Digest
    }

    /// A 128-bit key of an event id (two independently seeded SipHashes), so a million ids cost
    /// 16 bytes each instead of a String each. The seeds are secret per process, so no client can
    /// aim for a collision.
    struct IDKey: Hashable {
        let a: Int, b: Int
        init(_ id: String) {
            var h1 = Hasher()
            h1.combine(id)
            var h2 = Hasher()
            h2.combine(0x6A6F_7572_6E61_6C64 as UInt64)
            h2.combine(id)
            a = h1.finalize()
            b = h2.finalize()
        }
    }

    let config: JournalConfig
    let log: RecordLog
    private let lock = NSLock()
    // Guarded by `lock`:
    private var positions: [RecordLog.Position] = []
    private var tree = MerkleTree()
    private var lastHash = SHA256Digest.zero
    private var durable = 0
    private var ids: [IDKey: Int32] = [:]
    private var byTrace: [Int: [Int32]] = [:]
    private var byType: [Int: [Int32]] = [:]
    private var bySubject: [Int: [Int32]] = [:]
    private var lastTicket: RecordLog.Ticket?
    private var failure: String?
    /// Damage recovery found (in seq order); while any exists nothing is appended.
    let recoveryDamage: [BrokenLink]
    let recoverySeconds: Double
    let truncatedBytes: Int

    var appendedEvents: Int { lock.withLock { positions.count } }

    // MARK: - Recovery

    /// Opens the journal in `config.directory`: reads every segment, truncates a torn tail, rebuilds
    /// the chain head, the tree and the indexes. Damage in the middle is kept in `recoveryDamage`.
    init(config: JournalConfig) throws {
        self.config = config
        let started = Date()
        var positions: [RecordLog.Position] = []
        var tree = MerkleTree()
        var lastHash = SHA256Digest.zero
        var ids: [IDKey: Int32] = [:]
        var byTrace: [Int: [Int32]] = [:], byType: [Int: [Int32]] = [:], bySubject: [Int: [Int32]] = [:]
        /// Seqs that are missing or wrong, with where they were expected.
        var gaps: [(seq: Int, after: RecordLog.Position?, at: RecordLog.Position, reason: String)] = []
        let configuration = RecordLog.Configuration(directory: config.directory, filePrefix: "events", magic: "LHJRNL01",
                                                    segmentBytes: config.segmentBytes, maxRecordBytes: config.maxEventBytes + JournalRecord.headerBytes)
        log = try RecordLog(configuration) { position, raw in
            let expected = positions.count + 1
            guard let record = JournalRecord(raw), let fields = EventFields(canonical: record.canonical) else {
                gaps.append((expected, positions.last, position, "record does not decode"))
                return
            }
            if record.seq != expected {
                if record.seq < expected {
                    gaps.append((expected, positions.last, position, "record holds seq \(record.seq) where \(expected) was expected"))
                    return
                }
                // Records are missing (a damaged frame was skipped): keep their places, empty.
                for missing in expected..<record.seq {
                    gaps.append((missing, positions.last, position, "record missing"))
                    positions.append(position)
                    tree.append(leaf: .zero)
                }
            }
            let seq = Int32(truncatingIfNeeded: record.seq)
            positions.append(position)
            tree.append(leaf: record.leafHash)
            lastHash = record.chainHash
            ids[IDKey(fields.id)] = seq
            byTrace[fields.traceID.hashValue, default: []].append(seq)
            byType[fields.type.hashValue, default: []].append(seq)
            if let subject = fields.subject { bySubject[subject.hashValue, default: []].append(seq) }
        }
        // Name each damaged frame by the seq it held: the first gap after the damage's position.
        var broken: [BrokenLink] = []
        var unclaimed = log.recovery.damage
        for gap in gaps {
            if let i = unclaimed.firstIndex(where: { d in (gap.after.map { d.position > $0 } ?? true) && d.position < gap.at }) {
                let d = unclaimed.remove(at: i)
                broken.append(BrokenLink(seq: gap.seq, segment: d.file, offset: d.position.offset, reason: d.reason))
            } else {
                broken.append(BrokenLink(seq: gap.seq, segment: log.fileName(segment: gap.at.segment), offset: gap.at.offset, reason: gap.reason))
            }
        }
        for d in unclaimed {
            // Damage after the last whole record: it held the next seq.
            broken.append(BrokenLink(seq: positions.count + 1, segment: d.file, offset: d.position.offset, reason: d.reason))
        }
        recoveryDamage = broken.sorted { $0.seq < $1.seq }
        truncatedBytes = log.recovery.truncatedBytes
        self.positions = positions
        self.tree = tree
        self.lastHash = lastHash
        self.ids = ids
        self.byTrace = byTrace
        self.byType = byType
        self.bySubject = bySubject
        durable = positions.count
        recoverySeconds = Date().timeIntervalSince(started)
    }

    func close() { log.close() }

    /// Why appends are refused now, if they are.
    var unavailableReason: String? {
        lock.withLock {
            if let failure { return "the journal's log failed: \(failure)" }
            if let first = recoveryDamage.first {
                return "the journal is damaged at seq \(first.seq) (\(first.segment) offset \(first.offset): \(first.reason)); appends are refused until an operator repairs it"
            }
            return nil
        }
    }

    // MARK: - Appending

    /// Appends the events that are new (by id) and returns every event's acknowledgement, once all
    /// of them are durable. A known id is acknowledged with its original seq and hash.
    func append(_ events: [IncomingEvent]) async throws(JournalError) -> [Acknowledgement] {
        var (acknowledgements, ticket, covered) = try reserve(events)
        if let ticket {
            do {
                try await log.waitDurable(ticket)
            } catch {
                lock.withLock { failure = "\(error)" }
                throw .unavailable("the journal's log failed: \(error)")
            }
        }
        lock.withLock { durable = max(durable, covered) }
        for i in acknowledgements.indices where acknowledgements[i].duplicate {
            acknowledgements[i].hash = try record(seq: acknowledgements[i].seq) { $0.chainHash }
        }
        return acknowledgements
    }

    /// Under the lock: assigns seqs and chain hashes to the new events, indexes them and queues
    /// their records. Returns the acknowledgements (duplicates' hashes still to be read), the ticket
    /// covering every seq named, and how many events that ticket makes durable.
    private func reserve(_ events: [IncomingEvent]) throws(JournalError) -> ([Acknowledgement], RecordLog.Ticket?, Int) {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw .unavailable("the journal's log failed: \(failure)") }
        if let first = recoveryDamage.first {
            throw .unavailable("the journal is damaged at seq \(first.seq) (\(first.segment) offset \(first.offset)); appends are refused until an operator repairs it")
        }
        var acknowledgements: [Acknowledgement] = []
        acknowledgements.reserveCapacity(events.count)
        var payloads: [[UInt8]] = []
        payloads.reserveCapacity(events.count)
        for event in events {
            let key = IDKey(event.id)
            if let seq = ids[key] {
                acknowledgements.append(Acknowledgement(id: event.id, seq: Int(seq), hash: .zero, duplicate: true))
                continue
            }
            let seq = positions.count + payloads.count + 1
            let hash = event.canonical.withUnsafeBytes { JournalRecord.chainHash(previous: lastHash, canonical: $0) }
            lastHash = hash
            tree.append(leaf: event.leafHash)
            let seq32 = Int32(truncatingIfNeeded: seq)
            ids[key] = seq32
            byTrace[event.traceID.hashValue, default: []].append(seq32)
            byType[event.type.hashValue, default: []].append(seq32)
            if let subject = event.subject { bySubject[subject.hashValue, default: []].append(seq32) }
            payloads.append(JournalRecord.encode(seq: seq, chainHash: hash, leafHash: event.leafHash, canonical: event.canonical))
            acknowledgements.append(Acknowledgement(id: event.id, seq: seq, hash: hash, duplicate: false))
        }
        if !payloads.isEmpty {
            let fresh = log.append(payloads)
            positions.append(contentsOf: fresh.positions)
            lastTicket = fresh
        }
        // Every seq named here is in `lastTicket` or an earlier ticket.
        return (acknowledgements, lastTicket, positions.count)
    }

    // MARK: - Reading

    var checkpoint: Checkpoint {
        lock.withLock { Checkpoint(size: durable, root: tree.root(size: durable)) }
    }

    /// Reads the durable record `seq` and hands it to `body`.
    func record<T>(seq: Int, _ body: (JournalRecord) throws -> T) throws(JournalError) -> T {
        let position: RecordLog.Position? = lock.withLock { seq >= 1 && seq <= durable ? positions[seq - 1] : nil }
        guard let position else { throw .invalid("seq \(seq) is not in the journal") }
        do {
            let payload = try log.read(at: position)
            return try payload.withUnsafeBytes { raw in
                guard let record = JournalRecord(raw) else { throw JournalError.storage("record \(seq) does not decode") }
                return try body(record)
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw .storage("reading seq \(seq): \(error)")
        }
    }

    struct Query: Sendable {
        var traceID: String?
        var type: String?
        var subject: String?
        var sinceSeq = 0
        var limit = 100
    }

    /// Events matching every given filter with seq > sinceSeq, ascending, at most `limit`, each as
    /// its stored JSON (`{"hash","seq",…event}`); `next` is the seq to pass as `since_seq` for the
    /// following page, nil when this page reached the end.
    func query(_ q: Query) throws(JournalError) -> (events: [[UInt8]], next: Int?) {
        var out: [[UInt8]] = []
        var cursor = q.sinceSeq
        var exhausted = false
        while out.count < q.limit && !exhausted {
            let batch = candidates(q, after: cursor, max: q.limit - out.count + 16)
            exhausted = batch.isEmpty
            let filtered = q.traceID != nil || q.type != nil || q.subject != nil
            for (seq, position) in batch {
                cursor = seq
                let rendered: [UInt8]? = try render(seq: seq, position: position, filtered: filtered) { fields in
                    (q.traceID == nil || fields.traceID == q.traceID) && (q.type == nil || fields.type == q.type)
                        && (q.subject == nil || fields.subject == q.subject)
                }
                if let rendered { out.append(rendered) }
                if out.count == q.limit { break }
            }
        }
        let more = out.count == q.limit && !candidates(q, after: cursor, max: 1).isEmpty
        return (out, more ? cursor : nil)
    }

    /// Up to `max` (seq, position) pairs after `cursor` from the most selective index of the query.
    private func candidates(_ q: Query, after cursor: Int, max: Int) -> [(Int, RecordLog.Position)] {
        lock.withLock {
            var lists: [[Int32]] = []
            if let t = q.traceID { lists.append(byTrace[t.hashValue] ?? []) }
            if let t = q.type { lists.append(byType[t.hashValue] ?? []) }
            if let s = q.subject { lists.append(bySubject[s.hashValue] ?? []) }
            var result: [(Int, RecordLog.Position)] = []
            if lists.isEmpty {
                var seq = cursor + 1
                while seq <= durable && result.count < max {
                    result.append((seq, positions[seq - 1]))
                    seq += 1
                }
                return result
            }
            let list = lists.min { $0.count < $1.count }!
            // First entry above the cursor (lists are ascending).
            var lo = 0, hi = list.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if Int(list[mid]) <= cursor { lo = mid + 1 } else { hi = mid }
            }
            var i = lo
            while i < list.count && result.count < max && Int(list[i]) <= durable {
                result.append((Int(list[i]), positions[Int(list[i]) - 1]))
                i += 1
            }
            return result
        }
    }

    /// The stored JSON of one event when `matches` accepts its fields, else nil.
    /// Unfiltered pages (materializerd reads the whole journal this way) skip parsing the fields.
    private func render(seq: Int, position: RecordLog.Position, filtered: Bool, matches: (EventFields) -> Bool) throws(JournalError) -> [UInt8]? {
        let payload: [UInt8]
        do {
            payload = try log.read(at: position)
        } catch {
            throw .storage("reading seq \(seq): \(error)")
        }
        return payload.withUnsafeBytes { raw -> [UInt8]? in
            guard let record = JournalRecord(raw), record.seq == seq else { return nil }
            if filtered {
                guard let fields = EventFields(canonical: record.canonical), matches(fields) else { return nil }
            }
            return JournalStore.storedJSON(record)
        }
    }

    /// `{"hash":"…","seq":n,` + the canonical event's members.
    static func storedJSON(_ record: JournalRecord) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(record.canonical.count + 100)
        out.append(contentsOf: "{\"hash\":\"\(record.chainHash.hex)\",\"seq\":\(record.seq)".utf8)
        if record.canonical.count > 2 { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: record.canonical.dropFirst())
        return out
    }

    // MARK: - Proofs

    struct InclusionProof: Sendable {
        let seq: Int
        let size: Int
        let leaf: SHA256Digest
        let root: SHA256Digest
        let path: [SHA256Digest]
    }

    /// RFC 9162 inclusion proof of event `seq` (leaf index seq-1) in the tree of `size` (default: now).
    func inclusionProof(seq: Int, size: Int?) throws(JournalError) -> InclusionProof {
        lock.lock()
        defer { lock.unlock() }
        do {
            let n = size ?? durable
            guard n >= 1 && n <= durable else { throw .invalid("size \(n) is outside the journal's tree (1…\(durable))") }
            guard seq >= 1 && seq <= n else { throw .invalid("seq \(seq) is not in the tree of size \(n) (1…\(n))") }
            return InclusionProof(seq: seq, size: n, leaf: tree.leaf(seq - 1), root: tree.root(size: n),
                                  path: tree.inclusionProof(index: seq - 1, size: n))
        }
    }

    struct ConsistencyProof: Sendable {
        let from: Int, to: Int
        let fromRoot: SHA256Digest, toRoot: SHA256Digest
        let path: [SHA256Digest]
    }

    /// RFC 9162 consistency proof between the trees of sizes `from` ≤ `to`.
    func consistencyProof(from: Int, to: Int?) throws(JournalError) -> ConsistencyProof {
        lock.lock()
        defer { lock.unlock() }
        do {
            let n = to ?? durable
            guard n <= durable else { throw .invalid("to=\(n) is beyond the journal's tree (size \(durable))") }
            guard from >= 1 else { throw .invalid("from must be at least 1 (a proof from the empty tree proves nothing)") }
            guard from <= n else { throw .invalid("from=\(from) is greater than to=\(n)") }
            return ConsistencyProof(from: from, to: n, fromRoot: tree.root(size: from), toRoot: tree.root(size: n),
                                    path: tree.consistencyProof(from: from, to: n))
        }
    }

    // MARK: - Verification

    struct Verification: Sendable {
        let size: Int
        let root: SHA256Digest
        let segments: Int
        let broken: BrokenLink?
        let seconds: Double
        /// Process CPU time spent meanwhile (all threads): the cost, independent of a busy machine.
        let cpuSeconds: Double
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Walks every durable event on disk: frame CRC, seq, leaf hash, chain link, then rebuilds the
    /// Merkle root from the recomputed leaves and compares it with the served one. Reports the
    /// first broken link (lowest seq), including damage recovery found.
    func verify() throws(JournalError) -> Verification {
        let started = Date()
        let cpuStarted = JournalStore.processCPUSeconds()
        let (n, positions, leaves, root) = lock.withLock { () -> (Int, [RecordLog.Position], [SHA256Digest], SHA256Digest) in
            (durable, Array(self.positions[0..<durable]), Array(tree.levels[0][0..<durable]), tree.root(size: durable))
        }
        var firstBroken = recoveryDamage.first
        func consider(_ link: BrokenLink) {
            if firstBroken == nil || link.seq < firstBroken!.seq { firstBroken = link }
        }
        var recomputed = [SHA256Digest](repeating: .zero, count: n)
        var previousStored = SHA256Digest.zero
        var start = 0
        var segmentCount = 0
        while start < n {
            let segment = positions[start].segment
            var end = start
            while end < n && positions[end].segment == segment { end += 1 }
            segmentCount += 1
            let name = log.fileName(segment: segment)
            let bytes: [UInt8]
            do {
                bytes = try FileHandleFD(path: (config.directory as NSString).appendingPathComponent(name), flags: O_RDONLY).readAll()
            } catch {
                consider(BrokenLink(seq: start + 1, segment: name, offset: 0, reason: "segment unreadable: \(error)"))
                start = end
                continue
            }
            let links = verifySegment(bytes, name: name, range: start..<end, positions: positions, leaves: leaves,
                                      previousStored: &previousStored, recomputed: &recomputed)
            if let first = links.min(by: { $0.seq < $1.seq }) { consider(first) }
            start = end
        }
        let rebuilt = MerkleTree.root(ofLeaves: recomputed, threads: config.verifyThreads)
        if rebuilt != root && firstBroken == nil {
            consider(BrokenLink(seq: n, segment: "", offset: 0, reason: "the Merkle root rebuilt from disk differs from the served root"))
        }
        return Verification(size: n, root: root, segments: segmentCount, broken: firstBroken, seconds: Date().timeIntervalSince(started),
                            cpuSeconds: JournalStore.processCPUSeconds() - cpuStarted)
    }

    /// Checks events `range` (0-based indexes) of one segment's bytes, hashing in parallel.
    private func verifySegment(_ bytes: [UInt8], name: String, range: Range<Int>, positions: [RecordLog.Position], leaves: [SHA256Digest],
                               previousStored: inout SHA256Digest, recomputed: inout [SHA256Digest]) -> [BrokenLink] {
        // Pass 1 (sequential, cheap): frame bounds and each record's stored chain hash.
        var frames = [(start: Int, length: Int, problem: String?)](repeating: (0, 0, nil), count: range.count)
        var storedChain = [SHA256Digest](repeating: .zero, count: range.count + 1)
        storedChain[0] = previousStored
        bytes.withUnsafeBytes { raw in
            for (k, i) in range.enumerated() {
                let offset = positions[i].offset
                guard offset + 8 <= raw.count else {
                    frames[k] = (0, 0, "frame header beyond the end of the segment")
                    continue
                }
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                let crc = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                guard length > JournalRecord.headerBytes, offset + 8 + length <= raw.count else {
                    frames[k] = (0, 0, "bad frame length \(length)")
                    continue
                }
                let payload = UnsafeRawBufferPointer(rebasing: raw[(offset + 8)..<(offset + 8 + length)])
                guard CRC32C.checksum(payload) == crc else {
                    frames[k] = (offset + 8, length, "CRC mismatch")
                    storedChain[k + 1] = JournalRecord(payload)?.chainHash ?? .zero
                    continue
                }
                frames[k] = (offset + 8, length, nil)
                storedChain[k + 1] = JournalRecord(payload)!.chainHash
            }
        }
        previousStored = storedChain[range.count]
        let frameTable = frames, chainTable = storedChain
        // Pass 2 (parallel): leaf and chain hashes from the canonical bytes.
        let threads = max(1, min(config.verifyThreads, range.count / 256))
        let chunk = (range.count + threads - 1) / max(1, threads)
        let results = LockedBox<[BrokenLink]>([])
        let output = LockedBox<[(Int, [SHA256Digest])]>([])
        bytes.withUnsafeBytes { raw in
            let shared = UncheckedSendable(raw)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let lo = t * chunk, hi = min(range.count, lo + chunk)
                guard lo < hi else { return }
                var local: [BrokenLink] = []
                var leafOut = [SHA256Digest](repeating: .zero, count: hi - lo)
                for k in lo..<hi {
                    let i = range.lowerBound + k
                    let seq = i + 1
                    let offset = positions[i].offset
                    if let problem = frameTable[k].problem {
                        local.append(BrokenLink(seq: seq, segment: name, offset: offset, reason: problem))
                        continue
                    }
                    let payload = UnsafeRawBufferPointer(rebasing: shared.value[frameTable[k].start..<(frameTable[k].start + frameTable[k].length)])
                    let record = JournalRecord(payload)!
                    let leaf = MerkleTree.leafHash(record.canonical)
                    leafOut[k - lo] = leaf
                    if record.seq != seq {
                        local.append(BrokenLink(seq: seq, segment: name, offset: offset, reason: "record holds seq \(record.seq)"))
                    } else if leaf != record.leafHash || leaf != leaves[i] {
                        local.append(BrokenLink(seq: seq, segment: name, offset: offset, reason: "the event's bytes do not match its leaf hash"))
                    } else if JournalRecord.chainHash(previous: chainTable[k], canonical: record.canonical) != record.chainHash {
                        local.append(BrokenLink(seq: seq, segment: name, offset: offset, reason: "the chain hash does not match SHA-256(previous hash ‖ event)"))
                    }
                }
                results.mutate { $0 += local }
                output.mutate { $0.append((lo, leafOut)) }
            }
        }
        for (lo, leafOut) in output.value {
            for (j, leaf) in leafOut.enumerated() { recomputed[range.lowerBound + lo + j] = leaf }
        }
        return results.value
    }
}

/// A buffer read (never written) by the threads of one parallel pass, valid for its duration.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A value shared by the threads of one parallel pass.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.withLock { stored } }
    func mutate(_ body: (inout T) -> Void) { lock.withLock { body(&stored) } }
}

extension MerkleTree {
    /// MTH over `leaves`, hashing aligned 2^14-leaf subtrees on `threads` threads.
    static func root(ofLeaves leaves: [SHA256Digest], threads: Int) -> SHA256Digest {
        let n = leaves.count
        if n == 0 { return emptyRoot }
        let chunk = 1 << 14
        let chunks = n / chunk
        var chunkRoots = [SHA256Digest](repeating: .zero, count: chunks)
        if chunks > 0 {
            let box = LockedBox<[(Int, SHA256Digest)]>([])
            leaves.withUnsafeBufferPointer { buffer in
                let shared = UncheckedSendable(buffer)
                DispatchQueue.concurrentPerform(iterations: max(1, min(threads, chunks))) { t in
                    var local: [(Int, SHA256Digest)] = []
                    var c = t
                    while c < chunks {
                        local.append((c, range(shared.value, start: c * chunk, count: chunk)))
                        c += max(1, min(threads, chunks))
                    }
                    box.mutate { $0 += local }
                }
            }
            for (c, h) in box.value { chunkRoots[c] = h }
        }
        return leaves.withUnsafeBufferPointer { buffer in
            func hash(_ start: Int, _ count: Int) -> SHA256Digest {
                if count & (count - 1) == 0 && count >= chunk {
                    // A whole number of chunks: reduce their roots pairwise.
                    var level = Array(chunkRoots[(start / chunk)..<((start + count) / chunk)])
                    while level.count > 1 { level = stride(from: 0, to: level.count, by: 2).map { nodeHash(level[$0], level[$0 + 1]) } }
                    return level[0]
                }
                if count < chunk { return range(buffer, start: start, count: count) }
                let k = largestPowerOfTwo(below: count)
                return nodeHash(hash(start, k), hash(start + k, count - k))
            }
            return hash(0, n)
        }
    }

    private static func range(_ leaves: UnsafeBufferPointer<SHA256Digest>, start: Int, count: Int) -> SHA256Digest {
        if count == 1 { return leaves[start] }
        let k = largestPowerOfTwo(below: count)
        return nodeHash(range(leaves, start: start, count: k), range(leaves, start: start + k, count: count - k))
    }
}
