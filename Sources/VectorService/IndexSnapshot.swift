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
    /// 1: float records only. 2: adds the quantisation (and for int8 the quantiser and the
    /// full-precision vectors after the records); links may name nodes past the count (fuzzy image).
    static let formatVersion: UInt32 = 2
    static let fileName = "snapshot.bin"

    struct Corrupt: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes `image` (captured from `index` under its read lock, see `HNSWIndex.Image`) with the
    /// WAL generation from which replay must continue, into a staged file: the caller commits it
    /// (fsync, rename, fsync dir). Runs without the index's lock.
    static func stage(_ image: HNSWIndex.Image, of index: HNSWIndex, walGeneration: UInt64, to path: String) throws
        -> StagedReplacement
    {
        try DurableFile.stageReplacement(of: path) { file in
            var crc = CRC32C()
            // Records and links are read without the lock while commits rewrite neighbour lists in
            // place, so each slice is copied once and the checksum and the file both take the copy:
            // reading the live memory twice could checksum bytes other than those written.
            var copy = [UInt8](repeating: 0, count: 1 << 20)
            func put(_ raw: UnsafeRawBufferPointer) throws {
                var offset = 0
                while offset < raw.count {
                    let n = min(copy.count, raw.count - offset)
                    try copy.withUnsafeMutableBytes { buffer in
                        buffer.baseAddress!.copyMemory(from: raw.baseAddress! + offset, byteCount: n)
                        let slice = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                        crc.update(slice)
                        try file.write(slice)
                    }
                    offset += n
                }
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
            header.u64(UInt64(image.count))
            header.u64(UInt64(image.liveCount))
            header.u32(image.entryPoint)
            header.u32(UInt32(image.maxLevel))
            header.u64(UInt64(image.metadataBytes))
            header.string(index.quantization.rawValue)
            if index.quantization == .int8 {
                header.u8(image.quantizer == nil ? 0 : 1)
                image.quantizer?.write(to: &header)
            }
            try put(header.bytes)

            try image.levels.withUnsafeBytes { try put(UnsafeRawBufferPointer(rebasing: $0[0..<image.count])) }
            try put(image.deleted.prefix(image.count).map { $0 ? 1 : 0 })
            if let records = image.records, image.count > 0 {
                try put(UnsafeRawBufferPointer(start: records, count: image.count * index.nodeStride))
            }
            if let vectors = image.fullVectors, image.count > 0 {
                try put(UnsafeRawBufferPointer(start: vectors, count: image.count * index.vectorBytes))
            }
            for node in 0..<image.count where image.levels[node] > 0 {
                try put(UnsafeRawBufferPointer(start: image.upperLinks[node]!, count: Int(image.levels[node]) * (index.m + 1) * 4))
            }
            var tail = ByteWriter(capacity: 1 << 20)
            for node in 0..<image.count {
                tail.string(image.externalIDs[node])
                tail.metadata(image.metadata[node].map(MetadataJSON.decode))
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
    static func read(path: String, params: IndexParams, directory: String) throws -> (HNSWIndex, walGeneration: UInt64) {
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
                let format = try r.u32()
                guard format == 1 || format == 2 else { throw Corrupt(description: "\(path): unknown format \(format)") }
                let walGeneration = try r.u64()
                let dims = Int(try r.u32())
                let metric = Metric(rawValue: try r.string())
                let m = Int(try r.u32())
                let efc = Int(try r.u32())
                guard dims == params.dims, metric == params.metric, m == params.m else {
                    throw Corrupt(description: "\(path): parameters differ from meta.json")
                }
                let count = Int(try r.u64())
                let live = Int(try r.u64())
                let entry = try r.u32()
                let maxLevel = Int(try r.u32())
                let metadataBytes = Int(try r.u64())
                var quantization = Quantization.float
                var quantizer: ScalarQuantizer?
                if format >= 2 {
                    guard let q = Quantization(rawValue: try r.string()) else { throw Corrupt(description: "\(path): unknown quantization") }
                    quantization = q
                    if q == .int8, try r.u8() == 1 { quantizer = try ScalarQuantizer.read(from: &r) }
                }
                guard quantization == params.quantization, quantizer.map({ $0.dims == dims }) ?? true else {
                    throw Corrupt(description: "\(path): quantization differs from meta.json")
                }
                let index = try HNSWIndex(params: IndexParams(dims: dims, metric: params.metric, m: m, efConstruction: efc,
                                                              quantization: quantization), directory: directory)
                let levels = Array(UnsafeRawBufferPointer(start: try r.raw(count), count: count))
                let deletedRaw = UnsafeRawBufferPointer(start: try r.raw(count), count: count)
                let records = try r.raw(count * index.nodeStride)
                let vectors = quantization == .int8 ? try r.raw(count * index.vectorBytes) : nil
                index.loadRecords(records, vectors: vectors, count: count)
                index.levels = levels
                index.deleted = deletedRaw.map { $0 != 0 }
                index.upperLinks = [UnsafeMutablePointer<UInt32>?](repeating: nil, count: count)
                for (node, level) in levels.enumerated() where level > 0 {
                    let n = Int(level) * (m + 1)
                    let p = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
                    UnsafeMutableRawPointer(p).copyMemory(from: try r.raw(n * 4), byteCount: n * 4)
                    index.upperLinks[node] = p
                }
                index.dropLinksPastCount()
                index.externalIDs.reserveCapacity(count)
                index.metadata.reserveCapacity(count)
                for node in 0..<count {
                    let id = try r.string()
                    let meta = try r.metadata()
                    index.externalIDs.append(id)
                    index.metadata.append(meta.map(MetadataJSON.encode))
                    if !index.deleted[node] {
                        index.idToNode[id] = UInt32(node)
                        index.postings.add(node: UInt32(node), metadata: meta ?? [:])
                    }
                }
                index.restoreCounters(live: live, entryPoint: entry, maxLevel: maxLevel, metadataBytes: metadataBytes)
                if let quantizer { index.restore(quantizer) }
                return (index, walGeneration)
            } catch is ByteReader.Truncated {
                throw Corrupt(description: "\(path): truncated")
            }
        }
    }
}

extension HNSWIndex {
    /// Installs `count` raw node records (and an int8 index's full vectors) read from a snapshot
    /// (only on a fresh index); all of them are durable, so visible.
    func loadRecords(_ raw: UnsafeRawPointer, vectors: UnsafeRawPointer?, count: Int) {
        lock.withWriteLock {
            precondition(self.count == 0)
            reserveUnlocked(count)
            storage!.copyMemory(from: raw, byteCount: count * nodeStride)
            if let vectors, let fullVectors {
                fullVectors.ensure(count * vectorBytes)
                fullVectors.base.copyMemory(from: vectors, byteCount: count * vectorBytes)
            }
            setCount(count)
        }
        visibility.reset(visibleNodes: count)
    }

    /// A snapshot image is fuzzy: a list may name nodes added after its capture. Those come back
    /// with the log replay; drop the links now so no walk reads past the records.
    func dropLinksPastCount() {
        lock.withWriteLock {
            let limit = UInt32(count)
            func clean(_ list: UnsafeMutablePointer<UInt32>, capacity: Int) {
                let n = min(Int(list[0]), capacity)
                var kept = 0
                for j in 0..<n where list[1 + j] < limit {
                    list[1 + kept] = list[1 + j]
                    kept += 1
                }
                list[0] = UInt32(kept)
            }
            for node in 0..<count {
                clean(links(UInt32(node), 0), capacity: m0)
                for layer in 0..<Int(levels[node]) { clean(upperLinks[node]! + layer * (m + 1), capacity: m) }
            }
        }
    }
}
