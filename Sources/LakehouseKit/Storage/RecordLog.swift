#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A durable, append-only log of opaque records (byte strings), for every daemon that must not lose
/// an acknowledged write: journald's events, truthd's claims, the journal client's spool, matrixd's
/// memory. (vectord's `WriteAheadLog` uses the same framing and can move onto this type.)
///
/// **Files.** Numbered segment files `<prefix>-<16 hex digits>.log` in one directory, each starting
/// with the caller's 8-byte magic, then frames `[u32 length LE][u32 CRC32C(payload) LE][payload]`.
/// A segment is closed and the next one started once it passes `segmentBytes`.
///
/// **Durability.** `append` only queues bytes in memory and never blocks on I/O. One committer
/// thread writes what is queued and fdatasyncs it, so one fsync covers every record appended
/// before it (group commit). A record is durable — and may be acknowledged — only once
/// `waitDurable` (or `waitDurableBlocking`) returns for its ticket. An fsync failure fails that
/// wait and every later one: nothing not known durable is ever reported durable.
///
/// **Recovery** (`init`) replays every whole record in order. A torn tail — the last segment
/// ending in an incomplete or corrupt frame with nothing valid after it, or in zeros — is truncated
/// and fsynced, never served. Damage anywhere else (a bad frame followed by valid ones, or a bad
/// frame in a segment that is not the last) is **reported** in `Recovery.damage`, never cut: the
/// replay resumes at the next valid frame and the file is left as it was, for the owner to decide.
public final class RecordLog: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// The directory holding the segments (created durably if missing).
        public var directory: String
        /// Segment file name prefix: `<prefix>-<generation>.log`.
        public var filePrefix: String
        /// Exactly 8 bytes naming the file format, written at the head of every segment.
        public var magic: [UInt8]
        /// Start a new segment once the current one has at least this many bytes.
        public var segmentBytes: Int
        /// A frame claiming more than this is corrupt, not an allocation request; `append` refuses it.
        public var maxRecordBytes: Int

        public init(directory: String, filePrefix: String, magic: String, segmentBytes: Int = 64 << 20, maxRecordBytes: Int = 16 << 20) {
            precondition(magic.utf8.count == 8, "a RecordLog magic is exactly 8 bytes")
            self.directory = directory
            self.filePrefix = filePrefix
            self.magic = Array(magic.utf8)
            self.segmentBytes = segmentBytes
            self.maxRecordBytes = maxRecordBytes
        }
    }

    /// Where a record's frame starts: its segment's generation and the byte offset of the frame header.
    public struct Position: Sendable, Hashable, Comparable, CustomStringConvertible {
        public let segment: UInt64
        public let offset: Int
        public init(segment: UInt64, offset: Int) {
            self.segment = segment
            self.offset = offset
        }
        public static func < (a: Position, b: Position) -> Bool { (a.segment, a.offset) < (b.segment, b.offset) }
        public var description: String { "segment \(segment) offset \(offset)" }
    }

    /// A damaged frame found by recovery and left in place.
    public struct Damage: Sendable, Equatable, CustomStringConvertible {
        public let position: Position
        /// The segment's file name (e.g. `events-0000000000000001.log`).
        public let file: String
        /// What is wrong (`CRC mismatch`, `length 0`, …).
        public let reason: String
        /// Bytes skipped before replay could resume (to the next valid frame or the end of the segment).
        public let skippedBytes: Int
        public init(position: Position, file: String, reason: String, skippedBytes: Int) {
            self.position = position
            self.file = file
            self.reason = reason
            self.skippedBytes = skippedBytes
        }
        public var description: String { "\(file) offset \(position.offset): \(reason) (\(skippedBytes) bytes skipped)" }
    }

    /// What recovery found.
    public struct Recovery: Sendable {
        public var records = 0
        public var segments = 0
        /// Bytes cut off the end of the last segment (a torn tail).
        public var truncatedBytes = 0
        /// Damage in the middle of the log, in file order. Empty for a healthy log.
        public var damage: [Damage] = []
    }

    /// What `append` hands back: where each record went, and what to wait on for its durability.
    public struct Ticket: Sendable {
        public let positions: [Position]
        let sequence: UInt64
    }

    /// The log failed (a write or fsync error, or it was closed): nothing further is acknowledged.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let configuration: Configuration
    /// What the opening recovery found.
    public let recovery: Recovery

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var file: FileHandleFD
    private var fileGeneration: UInt64
    /// The generation new appends go to, and its size including queued bytes.
    private var appendGeneration: UInt64
    private var appendSegmentBytes: Int
    /// Queued bytes, split where a new segment begins.
    private var pending: [(generation: UInt64, bytes: [UInt8])] = []
    private var appendedSequence: UInt64 = 0
    private var durableSequence: UInt64 = 0
    private var durableBytes = 0
    private var syncs = 0
    private var writing = false
    private var closing = false
    private var stopped = false
    private var failure: Failure?
    private var waiters: [(sequence: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var segmentList: [UInt64]

    /// Opens (or creates) the log in `configuration.directory`, replaying every whole record through
    /// `replay` in order before returning (see the type's comment for torn tails and damage).
    public init(_ configuration: Configuration, replay: (Position, UnsafeRawBufferPointer) throws -> Void = { _, _ in }) throws {
        self.configuration = configuration
        try DurableFile.createDirectory(configuration.directory)
        var segments = RecordLog.generations(in: configuration.directory, prefix: configuration.filePrefix)
        recovery = try RecordLog.recover(configuration, segments: segments, replay: replay)
        if segments.isEmpty {
            segments = [1]
            file = try RecordLog.createSegment(configuration, generation: 1)
            appendSegmentBytes = configuration.magic.count
        } else {
            let path = RecordLog.path(configuration, generation: segments.last!)
            file = try FileHandleFD(path: path, flags: O_WRONLY | O_APPEND)
            appendSegmentBytes = try file.seekToEnd()
        }
        segmentList = segments
        fileGeneration = segments.last!
        appendGeneration = fileGeneration
        let thread = Thread { [self] in self.commitLoop() }
        thread.name = "record-log"
        thread.start()
    }

    // MARK: - Appending

    /// Queues `payloads` (each non-empty, at most `maxRecordBytes`) as consecutive records and
    /// returns where they will be. Never blocks on I/O; wait on the ticket before acknowledging.
    public func append(_ payloads: [[UInt8]]) -> Ticket {
        var frames: [UInt8] = []
        frames.reserveCapacity(payloads.reduce(0) { $0 + $1.count + 8 })
        var lengths: [Int] = []
        lengths.reserveCapacity(payloads.count)
        for payload in payloads {
            precondition(!payload.isEmpty && payload.count <= configuration.maxRecordBytes, "RecordLog payload size out of range")
            RecordLog.appendFrame(payload, to: &frames)
            lengths.append(payload.count + 8)
        }
        condition.lock()
        defer { condition.unlock() }
        var positions: [Position] = []
        positions.reserveCapacity(payloads.count)
        var cursor = 0
        for length in lengths {
            // Rotate between records, never inside a batch's record, and never leave a segment empty.
            if appendSegmentBytes >= configuration.segmentBytes && appendSegmentBytes > configuration.magic.count {
                appendGeneration += 1
                appendSegmentBytes = configuration.magic.count
            }
            positions.append(Position(segment: appendGeneration, offset: appendSegmentBytes))
            if let last = pending.last, last.generation == appendGeneration {
                pending[pending.count - 1].bytes.append(contentsOf: frames[cursor..<(cursor + length)])
            } else {
                pending.append((appendGeneration, Array(frames[cursor..<(cursor + length)])))
            }
            appendSegmentBytes += length
            cursor += length
        }
        appendedSequence += 1
        condition.broadcast()
        return Ticket(positions: positions, sequence: appendedSequence)
    }

    /// Returns once the ticket's records are fsynced; throws `Failure` if the log failed first.
    public func waitDurable(_ ticket: Ticket) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            condition.lock()
            if durableSequence >= ticket.sequence {
                condition.unlock()
                continuation.resume()
            } else if let failure {
                condition.unlock()
                continuation.resume(throwing: failure)
            } else {
                waiters.append((ticket.sequence, continuation))
                condition.unlock()
            }
        }
    }

    /// `waitDurable` for threads outside Swift concurrency (it blocks the calling thread).
    public func waitDurableBlocking(_ ticket: Ticket) throws {
        condition.lock()
        defer { condition.unlock() }
        while durableSequence < ticket.sequence && failure == nil { condition.wait() }
        if durableSequence < ticket.sequence, let failure { throw failure }
    }

    /// Appends and waits: returns the positions once the records are durable.
    public func appendDurably(_ payloads: [[UInt8]]) async throws -> [Position] {
        let ticket = append(payloads)
        try await waitDurable(ticket)
        return ticket.positions
    }

    // MARK: - Reading and housekeeping

    /// The generations of the segment files, ascending (including one not yet created on disk).
    public var segments: [UInt64] {
        condition.lock()
        defer { condition.unlock() }
        var list = segmentList
        if let last = list.last, appendGeneration > last { list.append(contentsOf: (last + 1)...appendGeneration) }
        return list
    }

    /// Bytes of the log known durable since it was opened (for metrics).
    public var durableBytesSinceOpen: Int {
        condition.lock()
        defer { condition.unlock() }
        return durableBytes
    }

    /// fdatasync rounds since the log was opened; `appends / syncs` is the group-commit factor.
    public var syncCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return syncs
    }

    /// The file name of segment `generation`.
    public func fileName(segment generation: UInt64) -> String { RecordLog.fileName(configuration, generation: generation) }

    /// Reads the payload of the durable record at `position` (pread; safe alongside appends).
    /// Throws `Failure` when the frame there is not whole and intact.
    public func read(at position: Position) throws -> [UInt8] {
        let handle = try FileHandleFD(path: RecordLog.path(configuration, generation: position.segment), flags: O_RDONLY)
        var header = [UInt8](repeating: 0, count: 8)
        try handle.read(into: &header, at: position.offset)
        let length = Int(UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24)
        let crc = UInt32(header[4]) | UInt32(header[5]) << 8 | UInt32(header[6]) << 16 | UInt32(header[7]) << 24
        guard length > 0, length <= configuration.maxRecordBytes else {
            throw Failure(description: "\(fileName(segment: position.segment)) offset \(position.offset): bad frame length \(length)")
        }
        var payload = [UInt8](repeating: 0, count: length)
        try handle.read(into: &payload, at: position.offset + 8)
        guard CRC32C.checksum(payload) == crc else {
            throw Failure(description: "\(fileName(segment: position.segment)) offset \(position.offset): CRC mismatch")
        }
        return payload
    }

    /// Deletes every segment older than `generation` (the owner no longer needs their records).
    /// The segment being appended to is never removed.
    public func removeSegments(before generation: UInt64) throws {
        condition.lock()
        let doomed = segmentList.filter { $0 < generation && $0 < fileGeneration }
        segmentList.removeAll { doomed.contains($0) }
        condition.unlock()
        for g in doomed { unlink(RecordLog.path(configuration, generation: g)) }
        if !doomed.isEmpty { try DurableFile.syncDirectory(configuration.directory) }
    }

    /// Writes and fsyncs everything queued, stops the committer and closes the file. Later appends
    /// are never acknowledged.
    public func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while !stopped { condition.wait() }
        if failure == nil { failure = Failure(description: "the log is closed") }
        let left = waiters.map(\.continuation)
        waiters.removeAll()
        try? file.close()
        condition.unlock()
        for c in left { c.resume(throwing: Failure(description: "the log is closed")) }
    }

    // MARK: - The committer

    private func commitLoop() {
        while true {
            condition.lock()
            while pending.isEmpty && !closing { condition.wait() }
            if pending.isEmpty && closing {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            let upTo = appendedSequence
            writing = true
            condition.unlock()

            var writeFailure: Failure?
            var written = 0
            var created: [UInt64] = []
            do {
                for chunk in batch {
                    if chunk.generation != fileGeneration {
                        // The old segment is complete: make it durable before the next one exists.
                        try RecordLog.dataSync(file)
                        let fresh = try RecordLog.createSegment(configuration, generation: chunk.generation)
                        try? file.close()
                        file = fresh
                        fileGeneration = chunk.generation
                        created.append(chunk.generation)
                    }
                    try chunk.bytes.withUnsafeBytes { try file.write($0) }
                    written += chunk.bytes.count
                }
                try RecordLog.dataSync(file)
            } catch {
                writeFailure = Failure(description: "\(error)")
            }

            condition.lock()
            writing = false
            segmentList.append(contentsOf: created)
            var ready: [CheckedContinuation<Void, any Error>] = []
            if let writeFailure {
                // After a failed fsync the page cache is in an unknown state: fail every waiter and
                // every later write rather than acknowledge anything not known durable.
                failure = writeFailure
                ready = waiters.map(\.continuation)
                waiters.removeAll()
            } else {
                durableSequence = upTo
                durableBytes += written
                syncs += 1
                waiters.removeAll { w in
                    if w.sequence <= upTo { ready.append(w.continuation); return true }
                    return false
                }
            }
            let failed = failure
            condition.broadcast()
            condition.unlock()
            for c in ready {
                if let failed { c.resume(throwing: failed) } else { c.resume() }
            }
        }
    }

    // MARK: - Files

    static func fileName(_ configuration: Configuration, generation: UInt64) -> String {
        "\(configuration.filePrefix)-\(String(format: "%016llx", generation)).log"
    }

    static func path(_ configuration: Configuration, generation: UInt64) -> String {
        (configuration.directory as NSString).appendingPathComponent(fileName(configuration, generation: generation))
    }

    /// Generations of the `<prefix>-<hex>.log` files in `directory`, ascending.
    static func generations(in directory: String, prefix: String) -> [UInt64] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> UInt64? in
            guard name.hasPrefix(prefix + "-"), name.hasSuffix(".log") else { return nil }
            return UInt64(name.dropFirst(prefix.count + 1).dropLast(4), radix: 16)
        }.sorted()
    }

    private static func createSegment(_ configuration: Configuration, generation: UInt64) throws -> FileHandleFD {
        let f = try FileHandleFD(path: path(configuration, generation: generation), flags: O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        try f.write(configuration.magic)
        try f.sync()
        try DurableFile.syncDirectory(configuration.directory)
        return f
    }

    private static func dataSync(_ file: FileHandleFD) throws {
        while fdatasync(file.fd) != 0 {
            if errno == EINTR { continue }
            throw StorageError("fdatasync", path: file.path)
        }
    }

    /// `[u32 length][u32 CRC32C(payload)][payload]`, little-endian.
    public static func appendFrame(_ payload: [UInt8], to out: inout [UInt8]) {
        let length = UInt32(payload.count)
        let crc = CRC32C.checksum(payload)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        out.append(contentsOf: payload)
    }

    // MARK: - Recovery

    /// Whether a whole, intact frame starts at `offset`; its total length if so, else why not.
    private enum FrameCheck {
        case valid(Int)
        case invalid(String)
    }

    private static func checkFrame(_ raw: UnsafeRawBufferPointer, at offset: Int, maxRecordBytes: Int) -> FrameCheck {
        guard raw.count - offset >= 8 else { return .invalid("incomplete frame header") }
        let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        let crc = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        guard length > 0 else { return .invalid("frame length 0") }
        guard length <= maxRecordBytes else { return .invalid("frame length \(length) exceeds the limit") }
        guard raw.count - offset - 8 >= length else { return .invalid("frame runs past the end of the segment") }
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(offset + 8)..<(offset + 8 + length)])) == crc else {
            return .invalid("CRC mismatch")
        }
        return .valid(8 + length)
    }

    private enum Resync {
        /// An intact frame starts here.
        case frame(Int)
        /// Nothing intact follows.
        case nothing
        /// The search ran out of budget: assume something valid follows (report, do not cut).
        case unknown
    }

    /// Looks for the next offset after `start` where an intact frame begins. Bounded work: after
    /// checksumming `budget` bytes it answers `.unknown`, so an unclassifiable tear is reported as
    /// damage rather than cut.
    private static func resynchronize(_ raw: UnsafeRawBufferPointer, after start: Int, maxRecordBytes: Int, budget: Int = 256 << 20) -> Resync {
        var spent = 0
        var p = start + 1
        while p + 8 < raw.count {
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
            if length > 0 && length <= maxRecordBytes && length <= raw.count - p - 8 {
                spent += length
                if spent > budget { return .unknown }
                if case .valid = checkFrame(raw, at: p, maxRecordBytes: maxRecordBytes) { return .frame(p) }
            }
            p += 1
        }
        return .nothing
    }

    private static func recover(_ configuration: Configuration, segments: [UInt64],
                                replay: (Position, UnsafeRawBufferPointer) throws -> Void) throws -> Recovery {
        var recovery = Recovery()
        recovery.segments = segments.count
        let magic = configuration.magic
        for (index, generation) in segments.enumerated() {
            let isLast = index == segments.count - 1
            let name = fileName(configuration, generation: generation)
            let f = try FileHandleFD(path: path(configuration, generation: generation), flags: O_RDWR)
            defer { try? f.close() }
            let bytes = try f.readAll()
            var truncateAt: Int?
            try bytes.withUnsafeBytes { raw in
                guard raw.count >= magic.count, raw.prefix(magic.count).elementsEqual(magic) else {
                    // A segment created but torn before its header was whole is empty; anything
                    // else with a wrong header is not ours to cut.
                    if isLast && raw.count < magic.count && raw.elementsEqual(magic.prefix(raw.count)) {
                        truncateAt = 0
                    } else {
                        recovery.damage.append(Damage(position: Position(segment: generation, offset: 0), file: name,
                                                      reason: "segment header is not \(String(decoding: magic, as: UTF8.self))", skippedBytes: raw.count))
                    }
                    return
                }
                var offset = magic.count
                while offset < raw.count {
                    switch checkFrame(raw, at: offset, maxRecordBytes: configuration.maxRecordBytes) {
                    case .valid(let total):
                        try replay(Position(segment: generation, offset: offset), UnsafeRawBufferPointer(rebasing: raw[(offset + 8)..<(offset + total)]))
                        recovery.records += 1
                        offset += total
                    case .invalid(let reason):
                        let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
                        let next = rest.allSatisfy({ $0 == 0 }) ? .nothing : resynchronize(raw, after: offset, maxRecordBytes: configuration.maxRecordBytes)
                        var resume = raw.count
                        switch next {
                        case .nothing where isLast:
                            truncateAt = offset  // a torn tail: nothing valid follows
                            return
                        case .frame(let p): resume = p
                        case .nothing, .unknown: break
                        }
                        recovery.damage.append(Damage(position: Position(segment: generation, offset: offset), file: name,
                                                      reason: reason, skippedBytes: resume - offset))
                        offset = resume
                    }
                }
            }
            if let cut = truncateAt {
                recovery.truncatedBytes += bytes.count - cut
                if cut < magic.count {
                    try f.truncate(to: 0)
                    try f.write(magic)
                } else {
                    try f.truncate(to: cut)
                }
                try f.sync()
            }
        }
        return recovery
    }
}

extension FileHandleFD {
    /// Fills `buffer` from `offset` (pread, retrying short reads); throws if the file ends first.
    public func read(into buffer: inout [UInt8], at offset: Int) throws {
        let total = buffer.count
        var done = 0
        try buffer.withUnsafeMutableBytes { raw in
            while done < total {
                let n = pread(fd, raw.baseAddress! + done, total - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw StorageError("pread", path: path)
                }
                if n == 0 { throw StorageError("pread (unexpected end of file)", path: path, code: EIO) }
                done += n
            }
        }
    }
}
