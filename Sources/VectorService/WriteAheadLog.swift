#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LakehouseKit

/// One logged change to an index.
enum WALRecord: Equatable {
    case upsert(id: String, vector: [Float], metadata: [String: JSONValue])
    case delete(id: String)

    static let upsertTag: UInt8 = 1
    static let deleteTag: UInt8 = 2

    /// A framed upsert record: `[u32 payload length][u32 CRC32C(payload)][payload]`, payload =
    /// tag, id, dims, raw floats, binary metadata.
    static func framedUpsert(id: String, vector: UnsafeBufferPointer<Float>, metadata: [String: JSONValue]) -> [UInt8] {
        var w = ByteWriter(capacity: 32 + id.utf8.count + vector.count * 4)
        w.u64(0)  // frame header, filled in below
        w.u8(upsertTag)
        w.string(id)
        w.u32(UInt32(vector.count))
        w.floats(vector)
        w.metadata(metadata)
        return frame(w.bytes)
    }

    static func framedDelete(id: String) -> [UInt8] {
        var w = ByteWriter(capacity: 16 + id.utf8.count)
        w.u64(0)
        w.u8(deleteTag)
        w.string(id)
        return frame(w.bytes)
    }

    private static func frame(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        let length = UInt32(bytes.count - 8)
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[8...])) }
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: length.littleEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
        }
        return bytes
    }

    static func decode(payload: UnsafeRawBufferPointer) throws -> WALRecord {
        var r = ByteReader(payload)
        switch try r.u8() {
        case upsertTag:
            let id = try r.string()
            let n = Int(try r.u32())
            let vector = try r.floats(n)
            let metadata = try r.metadata() ?? [:]
            return .upsert(id: id, vector: vector, metadata: metadata)
        case deleteTag:
            return .delete(id: try r.string())
        default:
            throw ByteReader.Truncated()
        }
    }
}

/// An index's write-ahead log: numbered segment files `wal-<generation>.log`, each an 8-byte magic
/// header then framed records (`WALRecord`). Appends go to memory; a dedicated committer thread
/// writes and fdatasyncs them, so one fsync covers every record appended before it (group commit),
/// and callers awaiting `waitDurable` resume once their record is covered. Swift's cooperative
/// threads never block on the disk. While nobody waits (a bulk insert between its acknowledgements)
/// the committer gathers appends for up to `gatherWindow` (or `gatherBytes`) before writing, so a
/// build pays one fsync per window instead of one per handful of records; a waiter, a rotation or
/// close ends the window at once, so acknowledgements are never delayed by it.
final class WriteAheadLog: @unchecked Sendable {
    static let magic: [UInt8] = Array("LHVWAL01".utf8)
    /// A frame claiming more than this is treated as a torn tail, not an allocation request.
    static let maxRecordBytes = 64 << 20
    /// How long appends with nobody waiting on them may gather before one write + fdatasync.
    static let defaultGatherWindow: TimeInterval = 0.010
    let gatherWindow: TimeInterval
    /// Pending bytes that end a gathering window early.
    static let gatherBytes = 4 << 20

    let directory: String
    private let condition = NSCondition()
    // Guarded by `condition`:
    private(set) var generation: UInt64
    private var file: FileHandleFD
    private var pending: [UInt8] = []
    private var spare: [UInt8] = []
    private var appendedLSN: UInt64 = 0
    private var durableLSN: UInt64 = 0
    private var writing = false
    /// Rotations waiting for the committer to drain: they end a gathering window.
    private var draining = 0
    private var closing = false
    private var stopped = false
    private var failure: VectorError?
    private var waiters: [(lsn: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var segmentBytes: Int
    /// Called on the committer thread with each newly durable sequence number, before any waiter
    /// resumes (visibility follows durability: see `VisibilityWatermark`).
    private var onDurable: (@Sendable (UInt64) -> Void)?

    static func fileName(generation: UInt64) -> String { String(format: "wal-%016llx.log", generation) }

    /// Generations of the segment files present in `directory`, ascending.
    static func generations(in directory: String) -> [UInt64] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> UInt64? in
            guard name.hasPrefix("wal-"), name.hasSuffix(".log") else { return nil }
            return UInt64(name.dropFirst(4).dropLast(4), radix: 16)
        }.sorted()
    }

    /// Opens segment `generation` for appending (creating it durably if absent). Call `replay`
    /// first: it truncates any torn tail, so appends land after the last whole record.
    init(directory: String, generation: UInt64, gatherWindow: TimeInterval = WriteAheadLog.defaultGatherWindow) throws {
        self.directory = directory
        self.gatherWindow = gatherWindow
        self.generation = generation
        let path = (directory as NSString).appendingPathComponent(Self.fileName(generation: generation))
        if FileManager.default.fileExists(atPath: path) {
            file = try FileHandleFD(path: path, flags: O_WRONLY | O_APPEND)
            segmentBytes = try file.seekToEnd()
        } else {
            file = try Self.createSegment(path: path, directory: directory)
            segmentBytes = Self.magic.count
        }
        let thread = Thread { [self] in self.commitLoop() }
        thread.name = "vectord-wal"
        thread.start()
    }

    private static func createSegment(path: String, directory: String) throws -> FileHandleFD {
        let f = try FileHandleFD(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        try f.write(magic)
        try f.sync()
        try DurableFile.syncDirectory(directory)
        return f
    }

    func setDurabilityObserver(_ observer: @escaping @Sendable (UInt64) -> Void) {
        condition.lock()
        defer { condition.unlock() }
        onDurable = observer
    }

    /// The highest sequence number known durable.
    var durableSequence: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return durableLSN
    }

    /// Bytes in the current segment: the trigger for the next snapshot.
    var currentSegmentBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return segmentBytes
    }

    /// Appends one framed record and returns its log sequence number. Never blocks on I/O.
    func append(_ framed: [UInt8]) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        let wasEmpty = pending.isEmpty
        pending.append(contentsOf: framed)
        segmentBytes += framed.count
        appendedLSN += 1
        // Only the committer waits for appends: it needs waking when there was nothing to write,
        // or when a gathering window has filled; not once per record.
        if wasEmpty || pending.count >= Self.gatherBytes { condition.broadcast() }
        return appendedLSN
    }

    /// Returns once every record up to `lsn` is fsynced; throws if the log failed first.
    func waitDurable(_ lsn: UInt64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            condition.lock()
            if durableLSN >= lsn {
                condition.unlock()
                continuation.resume()
            } else if let failure {
                condition.unlock()
                continuation.resume(throwing: failure)
            } else {
                waiters.append((lsn, continuation))
                condition.broadcast()  // ends the committer's gathering window
                condition.unlock()
            }
        }
    }

    private func commitLoop() {
        while true {
            condition.lock()
            while pending.isEmpty && !closing { condition.wait() }
            if waiters.isEmpty && draining == 0 && !closing && pending.count < Self.gatherBytes {
                let deadline = Date(timeIntervalSinceNow: gatherWindow)
                while waiters.isEmpty && draining == 0 && !closing && pending.count < Self.gatherBytes {
                    if !condition.wait(until: deadline) { break }
                }
            }
            if pending.isEmpty && closing {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            swap(&pending, &spare)
            let upTo = appendedLSN
            let target = file
            writing = true
            condition.unlock()

            var writeFailure: VectorError?
            do {
                try spare.withUnsafeBytes { try target.write($0) }
                while fdatasync(target.fd) != 0 {
                    if errno == EINTR { continue }
                    throw StorageError("fdatasync", path: target.path)
                }
            } catch {
                writeFailure = .storage("\(error)")
            }
            // Keep a modest buffer between rounds, not the high-water mark of a bulk ingest.
            spare.removeAll(keepingCapacity: spare.capacity <= 1 << 20)

            condition.lock()
            writing = false
            var ready: [CheckedContinuation<Void, any Error>] = []
            if let writeFailure {
                // An fsync failure leaves the page cache in an unknown state: fail every waiter
                // and every later write rather than acknowledge anything not known durable.
                failure = writeFailure
                ready = waiters.map(\.continuation)
                waiters.removeAll()
            } else {
                durableLSN = upTo
                waiters.removeAll { w in
                    if w.lsn <= upTo { ready.append(w.continuation); return true }
                    return false
                }
            }
            let failed = failure
            let observer = onDurable
            condition.broadcast()
            condition.unlock()
            if failed == nil { observer?(upTo) }
            for c in ready {
                if let failed { c.resume(throwing: failed) } else { c.resume() }
            }
        }
    }

    /// Waits until everything appended so far is durable (caller prevents new appends).
    private func drainLocked() throws {
        draining += 1
        defer { draining -= 1 }
        condition.broadcast()
        while (!pending.isEmpty || writing) && failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Starts a new segment and returns its generation. The caller must hold off appends (the
    /// index's read lock does, since appends happen under its write lock), so the old segments hold
    /// exactly the changes made before this point.
    func rotate() throws -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        try drainLocked()
        let next = generation + 1
        let path = (directory as NSString).appendingPathComponent(Self.fileName(generation: next))
        let fresh = try Self.createSegment(path: path, directory: directory)
        try? file.close()
        file = fresh
        generation = next
        segmentBytes = Self.magic.count
        return next
    }

    /// Flushes, stops the committer thread and closes the segment. Later appends are never acked.
    func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while !stopped { condition.wait() }
        if failure == nil { failure = .unavailable("index closed") }
        let left = waiters.map(\.continuation)
        waiters.removeAll()
        try? file.close()
        condition.unlock()
        for c in left { c.resume(throwing: VectorError.unavailable("index closed")) }
    }

    /// Deletes segments older than `generation` (covered by a snapshot).
    func removeSegments(before generation: UInt64) throws {
        var removed = false
        for g in Self.generations(in: directory) where g < generation {
            let path = (directory as NSString).appendingPathComponent(Self.fileName(generation: g))
            if unlink(path) == 0 { removed = true }
        }
        if removed { try DurableFile.syncDirectory(directory) }
    }

    struct ReplayReport: Equatable {
        var records = 0
        var truncatedBytes = 0
        var lastGeneration: UInt64
    }

    /// Replays every segment from `fromGeneration` on, in order, calling `apply` for each whole
    /// record. A torn or corrupt tail (short frame, oversized length, CRC mismatch, undecodable
    /// payload) ends that segment: the file is truncated there and fsynced, so it is never served.
    static func replay(directory: String, fromGeneration: UInt64, apply: (WALRecord) throws -> Void) throws -> ReplayReport {
        var report = ReplayReport(lastGeneration: fromGeneration)
        for g in generations(in: directory) where g >= fromGeneration {
            report.lastGeneration = g
            let path = (directory as NSString).appendingPathComponent(fileName(generation: g))
            let f = try FileHandleFD(path: path, flags: O_RDWR)
            let bytes = try f.readAll()
            var goodEnd = 0
            try bytes.withUnsafeBytes { raw in
                guard raw.count >= magic.count, Array(raw[0..<magic.count]) == magic else { return }
                var offset = magic.count
                goodEnd = offset
                while raw.count - offset >= 8 {
                    let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                    let crc = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                    guard length <= maxRecordBytes, raw.count - offset - 8 >= length else { break }
                    let payload = UnsafeRawBufferPointer(rebasing: raw[(offset + 8)..<(offset + 8 + length)])
                    guard CRC32C.checksum(payload) == crc, let record = try? WALRecord.decode(payload: payload) else { break }
                    try apply(record)
                    report.records += 1
                    offset += 8 + length
                    goodEnd = offset
                }
            }
            if goodEnd < bytes.count || bytes.count < magic.count {
                report.truncatedBytes += bytes.count - goodEnd
                if goodEnd < magic.count {
                    // Not even a whole header: rewrite the segment as empty.
                    try f.truncate(to: 0)
                    try f.write(magic)
                } else {
                    try f.truncate(to: goodEnd)
                }
                try f.sync()
            }
            try f.close()
        }
        return report
    }
}
