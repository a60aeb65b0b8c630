#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LakehouseKit

/// The on-disk image of an index: the graph as well as the items, so recovery maps it back in one
/// read instead of re-inserting every vector (a 100k × 384 rebuild takes minutes; loading takes
/// about a second).
///
/// Layout (little-endian): magic `LHVSNP01`, header (format, WAL generation, params, node count,
/// live count, entry point, max level), then per node: levels, tombstone flags, the raw node
/// records (vector + layer-0 links, exactly as held in memory), upper-layer links, ids, metadata;
/// finally the CRC32C of everything before it. Written atomically (temp, fsync, rename, fsync dir).
enum IndexSnapshot {
    static let magic: [UInt8] = Array("LHVSNP01".utf8)
    static let formatVersion: UInt32 = 1
    static let fileName = "snapshot.bin"

    struct Corrupt: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes `index` (caller holds its read lock, so it cannot change underneath) with the WAL
    /// generation from which replay must continue, into a staged file: the caller commits it
    /// (fsync, rename, fsync dir) after releasing the lock.
    static func stage(_ index: HNSWIndex, walGeneration: UInt64, to path: String) throws -> StagedReplacement {
        try DurableFile.stageReplacement(of: path) { file in
            var crc = CRC32C()
            func put(_ raw: UnsafeRawBufferPointer) throws {
                crc.update(raw)
                try file.write(raw)
            }
            func put(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try put($0) } }

            var header = ByteWriter()
            header.bytes.append(contentsOf: magic)
            header.u32(formatVersion)
            header.u64(walGeneration)
            header.u32(UInt32(index.dims))
            header.string(index.metric.rawValue)
            header.u32(UInt32(index.m))
            header.u32(UInt32(index.efConstruction))
            header.u64(UInt64(index.count))
            header.u64(UInt64(index.liveCount))
            header.u32(index.entryPoint)
            header.u32(UInt32(index.maxLevel))
            header.u64(UInt64(index.metadataBytes))
            try put(header.bytes)

            try index.levels.withUnsafeBytes { try put($0) }
            try put(index.deleted.map { $0 ? 1 : 0 })
            if index.count > 0 {
                try put(UnsafeRawBufferPointer(start: index.storage!, count: index.count * index.nodeStride))
            }
            for (node, level) in index.levels.enumerated() where level > 0 {
                try put(UnsafeRawBufferPointer(start: index.upperLinks[node]!, count: Int(level) * (index.m + 1) * 4))
            }
            var tail = ByteWriter(capacity: 1 << 20)
            for node in 0..<index.count {
                tail.string(index.externalIDs[node])
                tail.metadata(index.metadata[node])
                if tail.bytes.count >= 1 << 20 {
                    try put(tail.bytes)
                    tail.bytes.removeAll(keepingCapacity: true)
                }
            }
            try put(tail.bytes)
            var trailer = ByteWriter()
            trailer.u32(crc.value)
            try file.write(trailer.bytes)
        }
    }

    /// Loads a snapshot into a fresh index; returns it with the WAL generation to replay from.
    static func read(path: String, params: IndexParams) throws -> (HNSWIndex, walGeneration: UInt64) {
        let handle = try FileHandleFD(path: path, flags: O_RDONLY)
        let bytes = try handle.readAll()
        try handle.close()
        return try bytes.withUnsafeBytes { raw in
            guard raw.count >= magic.count + 4, Array(raw[0..<magic.count]) == magic else {
                throw Corrupt(description: "\(path): not a vectord snapshot")
            }
            let body = UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 4)])
            let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self))
            guard CRC32C.checksum(body) == stored else { throw Corrupt(description: "\(path): checksum mismatch") }

            var r = ByteReader(UnsafeRawBufferPointer(rebasing: body[magic.count...]))
            do {
                guard try r.u32() == formatVersion else { throw Corrupt(description: "\(path): unknown format") }
                let walGeneration = try r.u64()
                let dims = Int(try r.u32())
                let metric = Metric(rawValue: try r.string())
                let m = Int(try r.u32())
                let efc = Int(try r.u32())
                guard dims == params.dims, metric == params.metric, m == params.m else {
                    throw Corrupt(description: "\(path): parameters differ from meta.json")
                }
                let index = HNSWIndex(params: IndexParams(dims: dims, metric: params.metric, m: m, efConstruction: efc))
                let count = Int(try r.u64())
                let live = Int(try r.u64())
                let entry = try r.u32()
                let maxLevel = Int(try r.u32())
                let metadataBytes = Int(try r.u64())

                let levels = Array(UnsafeRawBufferPointer(start: try r.raw(count), count: count))
                let deletedRaw = UnsafeRawBufferPointer(start: try r.raw(count), count: count)
                let records = try r.raw(count * index.nodeStride)
                index.loadRecords(records, count: count)
                index.levels = levels
                index.deleted = deletedRaw.map { $0 != 0 }
                index.upperLinks = [UnsafeMutablePointer<UInt32>?](repeating: nil, count: count)
                for (node, level) in levels.enumerated() where level > 0 {
                    let n = Int(level) * (m + 1)
                    let p = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
                    UnsafeMutableRawPointer(p).copyMemory(from: try r.raw(n * 4), byteCount: n * 4)
                    index.upperLinks[node] = p
                }
                index.externalIDs.reserveCapacity(count)
                index.metadata.reserveCapacity(count)
                for node in 0..<count {
                    let id = try r.string()
                    let meta = try r.metadata()
                    index.externalIDs.append(id)
                    index.metadata.append(meta)
                    if !index.deleted[node] {
                        index.idToNode[id] = UInt32(node)
                        index.postings.add(node: UInt32(node), metadata: meta ?? [:])
                    }
                }
                index.restoreCounters(live: live, entryPoint: entry, maxLevel: maxLevel, metadataBytes: metadataBytes)
                return (index, walGeneration)
            } catch is ByteReader.Truncated {
                throw Corrupt(description: "\(path): truncated")
            }
        }
    }
}

extension HNSWIndex {
    /// Installs `count` raw node records read from a snapshot (only on a fresh index).
    func loadRecords(_ raw: UnsafeRawPointer, count: Int) {
        lock.withWriteLock {
            precondition(self.count == 0)
            reserveUnlocked(count)
            storage!.copyMemory(from: raw, byteCount: count * nodeStride)
            setCount(count)
        }
    }
}
