#if canImport(Glibc)
import Glibc
#endif
import Foundation
import VectorService

/// `lakehouse bench-vector --worker DATA`: vectord's side of Scripts/bench/vector's interleaved
/// rounds. Loads the data file (written by `--write-data`), then answers one command per line on
/// stdin with one JSON line on stdout, so the driver can alternate it with the hnswlib worker:
///
///     build <float|int8> <threads>        build the index (durable upserts into a fresh directory)
///     recall <float|int8> <ef>            recall@k against the file's exact ground truth
///     query <float|int8> <ef> <threads> <cpu|-1>   queries/s over every query twice; one thread
///                                          is pinned to `cpu` when it is ≥ 0
///     quit
struct VectorBenchmarkWorker {
    let dataPath: String
    let m: Int
    let efConstruction: Int
    let metric: Metric

    struct DataFile {
        let count: Int, dims: Int, queries: Int, k: Int
        let data: [Float]
        let queryVectors: [[Float]]
        let truth: [Set<Int>]

        init(path: String) throws {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            func i32(_ offset: Int) -> Int { Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int32.self) }) }
            count = i32(0); dims = i32(4); queries = i32(8); k = i32(12)
            let (n, d, nq, kk) = (count, dims, queries, k)
            data = bytes.withUnsafeBytes { raw in
                Array(UnsafeBufferPointer(start: (raw.baseAddress! + 16).assumingMemoryBound(to: Float.self), count: n * d))
            }
            let flatQueries: [Float] = bytes.withUnsafeBytes { raw in
                Array(UnsafeBufferPointer(start: (raw.baseAddress! + 16 + n * d * 4).assumingMemoryBound(to: Float.self), count: nq * d))
            }
            queryVectors = (0..<nq).map { Array(flatQueries[($0 * d)..<(($0 + 1) * d)]) }
            let flatTruth: [Int32] = bytes.withUnsafeBytes { raw in
                Array(UnsafeBufferPointer(start: (raw.baseAddress! + 16 + (n + nq) * d * 4).assumingMemoryBound(to: Int32.self), count: nq * kk))
            }
            truth = (0..<nq).map { q in Set(flatTruth[(q * kk)..<((q + 1) * kk)].map(Int.init)) }
        }
    }

    func run() async throws {
        let file = try DataFile(path: dataPath)
        var open: [Quantization: (catalog: IndexCatalog, index: VectorIndex, dir: String)] = [:]
        defer { for (_, o) in open { try? FileManager.default.removeItem(atPath: o.dir) } }
        func reply(_ fields: [String: Any]) throws {
            let line = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
            FileHandle.standardOutput.write(line + Data("\n".utf8))
        }
        reply: while let line = readLine() {
            let words = line.split(separator: " ").map(String.init)
            guard let command = words.first else { continue }
            let mode = words.count > 1 ? Quantization(rawValue: words[1]) : nil
            switch (command, mode) {
            case ("build", let mode?) where words.count == 3:
                if let previous = open.removeValue(forKey: mode) {
                    await previous.catalog.close()
                    try? FileManager.default.removeItem(atPath: previous.dir)
                }
                var config = VectorConfig()
                config.dataDir = NSTemporaryDirectory() + "lakehouse-bench-vector-\(getpid())-\(mode.rawValue)"
                config.insertThreads = Int(words[2]) ?? 2
                config.snapshotWALBytes = 1 << 40  // the index, not snapshot I/O, during the build
                config.maxEF = 4_096
                let catalog = try IndexCatalog.open(config: config)
                let params = IndexParams(dims: file.dims, metric: metric, m: m, efConstruction: efConstruction, quantization: mode)
                let (index, _) = try catalog.create(name: "bench", params: params)
                let start = ContinuousClock.now
                for first in stride(from: 0, to: file.count, by: 10_000) {
                    let items = (first..<min(first + 10_000, file.count)).map { i in
                        VectorItem(id: "\(i)", vector: Array(file.data[(i * file.dims)..<((i + 1) * file.dims)]))
                    }
                    _ = try await index.upsert(items)
                }
                let seconds = Self.seconds(ContinuousClock.now - start)
                let stats = index.stats()
                open[mode] = (catalog, index, config.dataDir)
                try reply(["seconds": seconds, "memory_bytes": stats.memoryBytes, "mapped_vector_bytes": stats.mappedVectorBytes,
                           "rss_bytes": VectorBenchmark.rssBytes(), "kernels": KernelDispatch.selected.rawValue])
            case ("recall", let mode?) where words.count == 3:
                guard let index = open[mode]?.index, let ef = Int(words[2]) else { try reply(["error": "not built"]); continue }
                var hits = 0
                for (i, q) in file.queryVectors.enumerated() {
                    let found = try index.search(vector: q, k: file.k, ef: ef).compactMap { Int($0.id) }
                    hits += file.truth[i].intersection(found).count
                }
                try reply(["recall": Double(hits) / Double(file.queries * file.k)])
            case ("query", let mode?) where words.count == 5:
                guard let index = open[mode]?.index, let ef = Int(words[2]), let threads = Int(words[3]), let cpu = Int(words[4])
                else { try reply(["error": "not built"]); continue }
                try reply(["qps": Self.queriesPerSecond(index, file.queryVectors, k: file.k, ef: ef, threads: threads, pin: cpu)])
            case ("quit", _):
                break reply
            default:
                try reply(["error": "unknown command: \(line)"])
            }
        }
        for (_, o) in open { await o.catalog.close() }
    }

    /// Every query twice, split over `threads` dedicated threads (as a server's request threads);
    /// a single thread is pinned to `pin` so both sides of the comparison run on the same core.
    static func queriesPerSecond(_ index: VectorIndex, _ queries: [[Float]], k: Int, ef: Int, threads: Int, pin: Int) -> Double {
        let total = queries.count * 2
        let done = DispatchGroup()
        let clockStart = ContinuousClock.now
        for t in 0..<threads {
            done.enter()
            let thread = Thread {
                if threads == 1 && pin >= 0 { pinCurrentThread(to: pin) }
                var i = t
                while i < total {
                    _ = try? index.search(vector: queries[i % queries.count], k: k, ef: ef)
                    i += threads
                }
                done.leave()
            }
            thread.start()
        }
        done.wait()
        return Double(total) / seconds(ContinuousClock.now - clockStart)
    }

    /// sched_setaffinity on the calling thread (pid 0 = this thread on Linux). Glibc's Swift module
    /// hides it (a _GNU_SOURCE function), so it is looked up with dlsym; the mask is a 1024-bit
    /// cpu_set_t.
    static func pinCurrentThread(to cpu: Int) {
        typealias SetAffinity = @convention(c) (Int32, Int, UnsafeRawPointer) -> Int32
        guard cpu < 1024, let symbol = dlsym(nil, "sched_setaffinity") else { return }
        var mask = [UInt8](repeating: 0, count: 128)
        mask[cpu / 8] |= UInt8(1 << (cpu % 8))
        _ = mask.withUnsafeBytes { unsafeBitCast(symbol, to: SetAffinity.self)(0, 128, $0.baseAddress!) }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
