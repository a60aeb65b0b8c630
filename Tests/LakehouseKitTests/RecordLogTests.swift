import Foundation
import LakehouseKit
import Testing

@Suite struct RecordLogTests {
    static func configuration(_ dir: String, segmentBytes: Int = 64 << 20) -> RecordLog.Configuration {
        .init(directory: dir, filePrefix: "rec", magic: "LHTEST01", segmentBytes: segmentBytes, maxRecordBytes: 1 << 20)
    }

    static func payload(_ i: Int) -> [UInt8] { Array("record-\(i)-\(String(repeating: "x", count: i % 37))".utf8) }

    /// Opens the log at `dir` and returns what it replays, with positions.
    static func reopen(_ dir: String, segmentBytes: Int = 64 << 20) throws -> (RecordLog, [(RecordLog.Position, [UInt8])]) {
        var seen: [(RecordLog.Position, [UInt8])] = []
        let log = try RecordLog(configuration(dir, segmentBytes: segmentBytes)) { position, bytes in seen.append((position, Array(bytes))) }
        return (log, seen)
    }

    static func segmentPath(_ dir: String, _ generation: UInt64 = 1) -> String {
        dir + "/rec-" + String(format: "%016llx", generation) + ".log"
    }

    @Test func concurrentAppendsAreDurableAndReplayInOrder() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (log, initial) = try Self.reopen(dir.path)
        #expect(initial.isEmpty)
        let positions = await withTaskGroup(of: [(Int, RecordLog.Position)].self) { group in
            for writer in 0..<8 {
                group.addTask {
                    var out: [(Int, RecordLog.Position)] = []
                    for k in 0..<25 {
                        let i = writer * 100 + k
                        let ticket = log.append([Self.payload(i)])
                        try? await log.waitDurable(ticket)
                        out.append((i, ticket.positions[0]))
                    }
                    return out
                }
            }
            var all: [(Int, RecordLog.Position)] = []
            for await part in group { all += part }
            return all
        }
        #expect(positions.count == 200)
        // Eight writers could share an fsync; they can never need more than one each.
        #expect(log.syncCount <= 200 && log.syncCount > 0)
        log.close()
        let (again, seen) = try Self.reopen(dir.path)
        defer { again.close() }
        #expect(again.recovery.records == 200 && again.recovery.damage.isEmpty && again.recovery.truncatedBytes == 0)
        let byPosition = Dictionary(uniqueKeysWithValues: positions.map { ($0.1, $0.0) })
        for (position, bytes) in seen { #expect(bytes == Self.payload(byPosition[position]!)) }
        #expect(seen.map(\.0) == seen.map(\.0).sorted())
    }

    @Test func appendsQueuedTogetherShareOneSync() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (log, _) = try Self.reopen(dir.path)
        var tickets: [RecordLog.Ticket] = []
        for i in 0..<1_000 { tickets.append(log.append([Self.payload(i)])) }
        for ticket in tickets { try log.waitDurableBlocking(ticket) }
        #expect(log.syncCount < 1_000, "group commit: \(log.syncCount) syncs for 1,000 appends")
        log.close()
        #expect(throws: RecordLog.Failure.self) { try log.waitDurableBlocking(log.append([[1]])) }
    }

    @Test func readAtPositionReturnsThePayload() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (log, _) = try Self.reopen(dir.path)
        defer { log.close() }
        let positions = try await log.appendDurably((0..<10).map(Self.payload))
        for (i, position) in positions.enumerated() { #expect(try log.read(at: position) == Self.payload(i)) }
        #expect(throws: (any Error).self) { try log.read(at: .init(segment: 1, offset: positions[3].offset + 1)) }
    }

    @Test func tornTailIsTruncatedAndAppendsContinueAfterIt() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (log, _) = try Self.reopen(dir.path)
        _ = try await log.appendDurably((0..<20).map(Self.payload))
        log.close()
        let path = Self.segmentPath(dir.path)
        let full = Array(FileManager.default.contents(atPath: path)!)
        let lastFrame = Self.payload(19).count + 8
        for cut in [1, lastFrame / 2, lastFrame - 3] {
            try Data(full[0..<(full.count - cut)]).write(to: URL(fileURLWithPath: path))
            let (again, seen) = try Self.reopen(dir.path)
            #expect(seen.map(\.1) == (0..<19).map(Self.payload))
            #expect(again.recovery.truncatedBytes == lastFrame - cut && again.recovery.damage.isEmpty)
            again.close()
            #expect(FileManager.default.contents(atPath: path)!.count == full.count - lastFrame)
        }
        // Zeros after the last whole frame (a file extended but never written) are a torn tail too.
        try Data(full + [UInt8](repeating: 0, count: 300)).write(to: URL(fileURLWithPath: path))
        let (zeroed, seen) = try Self.reopen(dir.path)
        #expect(seen.count == 20 && zeroed.recovery.truncatedBytes == 300)
        _ = try await zeroed.appendDurably([Self.payload(20)])
        zeroed.close()
        let (last, all) = try Self.reopen(dir.path)
        last.close()
        #expect(all.map(\.1) == (0..<21).map(Self.payload))
    }

    @Test func damageInTheMiddleIsReportedNeverCut() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (log, _) = try Self.reopen(dir.path)
        let positions = try await log.appendDurably((0..<30).map(Self.payload))
        log.close()
        let path = Self.segmentPath(dir.path)
        var bytes = Array(FileManager.default.contents(atPath: path)!)
        let victim = positions[12]
        bytes[victim.offset + 8 + 3] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (again, seen) = try Self.reopen(dir.path)
        again.close()
        #expect(again.recovery.damage.count == 1)
        let damage = try #require(again.recovery.damage.first)
        #expect(damage.position == victim && damage.file == "rec-0000000000000001.log" && damage.reason == "CRC mismatch")
        #expect(seen.map(\.1) == (0..<30).filter { $0 != 12 }.map(Self.payload))
        #expect(Array(FileManager.default.contents(atPath: path)!) == bytes, "the damaged file is left as it was")
        #expect(again.recovery.truncatedBytes == 0)

        // A corrupted length field cannot be skipped by its own length: replay resynchronises.
        bytes[victim.offset + 8 + 3] ^= 0x20
        bytes[positions[5].offset + 1] ^= 0x7F
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (third, seen3) = try Self.reopen(dir.path)
        third.close()
        #expect(third.recovery.damage.first?.position == positions[5])
        #expect(seen3.map(\.1) == (0..<30).filter { $0 != 5 }.map(Self.payload))
    }

    @Test func segmentsRotateBySizeAndDamageInAnEarlierSegmentIsReported() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (log, _) = try Self.reopen(dir.path, segmentBytes: 256)
        var positions: [RecordLog.Position] = []
        for i in 0..<40 { positions += try await log.appendDurably([Self.payload(i)]) }
        let segments = log.segments
        #expect(segments.count > 3 && segments == Array(1...UInt64(segments.count)))
        #expect(Set(positions.map(\.segment)) == Set(segments))
        log.close()
        for g in segments.dropLast() {
            let size = try FileManager.default.attributesOfItem(atPath: Self.segmentPath(dir.path, g))[.size] as! Int
            #expect(size >= 256 && size < 256 + 80)
        }
        let (again, seen) = try Self.reopen(dir.path, segmentBytes: 256)
        #expect(seen.map(\.1) == (0..<40).map(Self.payload) && seen.map(\.0) == positions)
        try again.removeSegments(before: 3)
        #expect(again.segments.first == 3)
        again.close()

        // Cutting the end of a segment that is not the last is damage, not a torn tail.
        let path = Self.segmentPath(dir.path, 4)
        let bytes = Array(FileManager.default.contents(atPath: path)!)
        try Data(bytes.dropLast(5)).write(to: URL(fileURLWithPath: path))
        let (third, _) = try Self.reopen(dir.path, segmentBytes: 256)
        third.close()
        #expect(third.recovery.damage.map(\.file) == ["rec-0000000000000004.log"] && third.recovery.truncatedBytes == 0)
    }

    @Test func aSegmentTornInsideItsHeaderIsRewrittenEmpty() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try Data("LHTE".utf8).write(to: URL(fileURLWithPath: Self.segmentPath(dir.path)))
        let (log, seen) = try Self.reopen(dir.path)
        log.close()
        #expect(seen.isEmpty && log.recovery.truncatedBytes == 4 && log.recovery.damage.isEmpty)
        #expect(Array(FileManager.default.contents(atPath: Self.segmentPath(dir.path))!) == Array("LHTEST01".utf8))
    }
}
