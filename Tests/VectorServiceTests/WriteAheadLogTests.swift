import Foundation
import LakehouseKit
import Synchronization
import Testing
@testable import VectorService

@Suite struct WriteAheadLogTests {
    static func records(_ n: Int) -> [WALRecord] {
        (0..<n).map { (i: Int) -> WALRecord in
            if i % 5 == 4 { return .delete(id: "id-\(i - 1)") }
            let metadata: [String: JSONValue] = ["i": .number(Double(i)), "s": .string("x\(i)"), "l": .array([.bool(true), .null])]
            return .upsert(id: "id-\(i)", vector: [Float(i), -1.5, 0.25], metadata: metadata)
        }
    }

    static func frame(_ r: WALRecord) -> [UInt8] {
        switch r {
        case .upsert(let id, let v, let m): v.withUnsafeBufferPointer { WALRecord.framedUpsert(id: id, vector: $0, metadata: m) }
        case .delete(let id): WALRecord.framedDelete(id: id)
        }
    }

    /// Writes `records` through a real log (group commit) and waits until all are durable.
    static func write(_ records: [WALRecord], to dir: String) async throws {
        let wal = try WriteAheadLog(directory: dir, generation: 0)
        var last: UInt64 = 0
        for r in records { last = wal.append(frame(r)) }
        try await wal.waitDurable(last)
        wal.close()
    }

    static func replay(_ dir: String) throws -> ([WALRecord], WriteAheadLog.ReplayReport) {
        var out: [WALRecord] = []
        let report = try WriteAheadLog.replay(directory: dir, fromGeneration: 0) { out.append($0) }
        return (out, report)
    }

    var segment: (String) -> String = { $0 + "/" + WriteAheadLog.fileName(generation: 0) }

    @Test func recordsRoundTrip() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let records = Self.records(50)
        try await Self.write(records, to: dir.path)
        let (replayed, report) = try Self.replay(dir.path)
        #expect(replayed == records)
        #expect(report.truncatedBytes == 0)
    }

    @Test func tornTailRecoversEveryRecordBeforeTheTear() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let records = Self.records(20)
        try await Self.write(records, to: dir.path)
        let full = Array(FileManager.default.contents(atPath: segment(dir.path))!)
        let lastLength = Self.frame(records.last!).count
        // Cut anywhere inside the last record: 1 byte short, mid-payload, mid-header.
        for cut in [1, lastLength / 2, lastLength - 3] {
            try Data(full[0..<(full.count - cut)]).write(to: URL(fileURLWithPath: segment(dir.path)))
            let (replayed, report) = try Self.replay(dir.path)
            #expect(replayed == Array(records.dropLast()))
            #expect(report.truncatedBytes == lastLength - cut)
            // The tear was truncated on disk: a second recovery sees a clean log.
            #expect(try Self.replay(dir.path).1.truncatedBytes == 0)
            #expect(FileManager.default.contents(atPath: segment(dir.path))!.count == full.count - lastLength)
            try Data(full).write(to: URL(fileURLWithPath: segment(dir.path)))
        }
    }

    @Test func corruptedCRCInLastRecordIsTruncated() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let records = Self.records(10)
        try await Self.write(records, to: dir.path)
        var bytes = Array(FileManager.default.contents(atPath: segment(dir.path))!)
        bytes[bytes.count - 2] ^= 0x40  // flip a payload bit of the last record
        try Data(bytes).write(to: URL(fileURLWithPath: segment(dir.path)))
        let (replayed, report) = try Self.replay(dir.path)
        #expect(replayed == Array(records.dropLast()))
        #expect(report.truncatedBytes == Self.frame(records.last!).count)
    }

    @Test func appendsAfterRecoveryLandAfterTheLastWholeRecord() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let records = Self.records(6)
        try await Self.write(records, to: dir.path)
        var bytes = Array(FileManager.default.contents(atPath: segment(dir.path))!)
        bytes.append(contentsOf: [0x10, 0x00, 0x00])  // a torn frame header
        try Data(bytes).write(to: URL(fileURLWithPath: segment(dir.path)))
        _ = try Self.replay(dir.path)
        let more: [WALRecord] = [.delete(id: "late")]
        try await Self.write(more, to: dir.path)
        #expect(try Self.replay(dir.path).0 == records + more)
    }

    @Test func concurrentAppendersAreGroupCommittedAndAllAcknowledgedDurably() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let wal = try WriteAheadLog(directory: dir.path, generation: 0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask {
                    for i in 0..<50 {
                        let lsn = wal.append(Self.frame(.delete(id: "t\(t)-\(i)")))
                        try await wal.waitDurable(lsn)
                    }
                }
            }
            try await group.waitForAll()
        }
        wal.close()
        #expect(try Self.replay(dir.path).0.count == 400)
    }

    @Test func rotationStartsANewSegmentAndReplayReadsBothInOrder() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let wal = try WriteAheadLog(directory: dir.path, generation: 0)
        _ = wal.append(Self.frame(.delete(id: "a")))
        #expect(try wal.rotate() == 1)
        let lsn = wal.append(Self.frame(.delete(id: "b")))
        try await wal.waitDurable(lsn)
        wal.close()
        #expect(WriteAheadLog.generations(in: dir.path) == [0, 1])
        #expect(try Self.replay(dir.path).0 == [.delete(id: "a"), .delete(id: "b")])
        var fromOne: [WALRecord] = []
        _ = try WriteAheadLog.replay(directory: dir.path, fromGeneration: 1) { fromOne.append($0) }
        #expect(fromOne == [.delete(id: "b")])
    }

    @Test func appendsWithNobodyWaitingAreGatheredIntoFewFsyncsAndStillBecomeDurable() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let wal = try WriteAheadLog(directory: dir.path, generation: 0)
        let groups = Mutex<[UInt64]>([])
        wal.setDurabilityObserver { lsn in groups.withLock { $0.append(lsn) } }
        // A bulk insert between acknowledgements: records trickle in, nobody waits on them.
        for i in 0..<400 {
            _ = wal.append(Self.frame(.delete(id: "bulk-\(i)")))
            usleep(250)
        }
        // They still become durable (and so visible) without anyone asking.
        var polls = 0
        while wal.durableSequence < 400 && polls < 2_000 {
            try await Task.sleep(for: .milliseconds(10))
            polls += 1
        }
        wal.close()
        #expect(wal.durableSequence == 400)
        let fsyncs = groups.withLock { $0 }
        #expect(fsyncs.last == 400)
        // ≥ 100 ms of appends in windows of 10 ms: a few dozen groups, not one per record.
        #expect(fsyncs.count < 100, "\(fsyncs.count) fsyncs for 400 records")
        #expect(try Self.replay(dir.path).0.count == 400)
    }

    @Test func aWaiterARotationAndCloseEachEndTheGatheringWindowAtOnce() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        // A window far longer than the test: only the waiter, the rotation and close can end it.
        let wal = try WriteAheadLog(directory: dir.path, generation: 0, gatherWindow: 3_600)
        let first = wal.append(Self.frame(.delete(id: "a")))
        try await wal.waitDurable(first)
        #expect(wal.durableSequence == first)
        _ = wal.append(Self.frame(.delete(id: "b")))
        #expect(try wal.rotate() == 1)  // drains "b" first
        #expect(wal.durableSequence == first + 1)
        _ = wal.append(Self.frame(.delete(id: "c")))
        wal.close()
        #expect(try Self.replay(dir.path).0 == [.delete(id: "a"), .delete(id: "b"), .delete(id: "c")])
    }
}
