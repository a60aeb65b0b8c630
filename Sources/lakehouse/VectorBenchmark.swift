import Dispatch
import Foundation
import LakehouseKit
import VectorService

/// `lakehouse bench-vector`: builds a vectord index in process from deterministic clustered
/// vectors and measures build time, RSS, and single- and two-thread queries/s with recall@k
/// against exact search, over a sweep of ef. `--write-data` also writes the vectors, queries and
/// ground truth for the hnswlib side of Scripts/bench/vector. Output format is stable.
struct VectorBenchmark {
    struct UsageError: Error, CustomStringConvertible { let description: String }

    var count = 100_000
    var dims = 384
    var queries = 1_000
    var clusters = 100
    var k = 10
    var m = 16
    var efConstruction = 200
    var efs = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256]
    var metric = Metric.cosine
    var seed: UInt64 = 20_240_601
    var threads = 2
    var writeData: String?
    var jsonOut: String?
    /// Keep the index here (and reuse it when it already holds `count` items) instead of a
    /// temporary directory: for iterating on search speed without rebuilding.
    var dataDir: String?
    /// Each queries/s figure of the sweep is the best of this many runs.
    var repeats = 3
    /// `--data-only`: write the data file (`--write-data`) and stop.
    var dataOnly = false
    /// `--worker DATA`: answer Scripts/bench/vector's interleaved rounds (VectorBenchmarkWorker).
    var workerData: String?

    init(arguments: [String]) throws {
        var it = arguments.makeIterator()
        func value(_ flag: String) throws -> String {
            guard let v = it.next() else { throw UsageError(description: "\(flag) needs a value") }
            return v
        }
        func int(_ flag: String) throws -> Int {
            guard let v = Int(try value(flag)), v > 0 else { throw UsageError(description: "\(flag) needs a positive integer") }
            return v
        }
        while let flag = it.next() {
            switch flag {
            case "--count": count = try int(flag)
            case "--dims": dims = try int(flag)
            case "--queries": queries = try int(flag)
            case "--clusters": clusters = try int(flag)
            case "--k": k = try int(flag)
            case "--m": m = try int(flag)
            case "--ef-construction": efConstruction = try int(flag)
            case "--threads": threads = try int(flag)
            case "--seed": seed = UInt64(try int(flag))
            case "--efs":
                efs = try value(flag).split(separator: ",").map {
                    guard let e = Int($0), e > 0 else { throw UsageError(description: "--efs: bad value \($0)") }
                    return e
                }
            case "--metric":
                guard let mt = Metric(rawValue: try value(flag)) else { throw UsageError(description: "--metric: cosine|euclidean|dot") }
                metric = mt
            case "--write-data": writeData = try value(flag)
            case "--json": jsonOut = try value(flag)
            case "--data-dir": dataDir = try value(flag)
            case "--repeats": repeats = try int(flag)
            case "--data-only": dataOnly = true
            case "--worker": workerData = try value(flag)
            default: throw UsageError(description: "unknown option \(flag)")
            }
        }
    }

    func run() async throws {
        if let workerData {
            try await VectorBenchmarkWorker(dataPath: workerData, m: m, efConstruction: efConstruction, metric: metric).run()
            return
        }
        if dataOnly {
            guard let path = writeData else { throw UsageError(description: "--data-only needs --write-data PATH") }
            let gen = SyntheticVectors(dims: dims, clusters: clusters, seed: seed)
            let data = gen.vectors(count: count, stream: 0)
            let queryData = gen.vectors(count: queries, stream: 1)
            try writeDataFile(path: path, data: data, queryData: queryData, truth: groundTruth(data: data, queryData: queryData))
            return
        }
        let machine = Self.machine()
        print("# lakehouse bench-vector")
        print("machine: \(machine)")
        print("data: \(count) x \(dims) clustered (\(clusters) clusters, seed \(seed)), \(queries) queries, k=\(k), metric=\(metric.rawValue)")
        print("index: m=\(m) ef_construction=\(efConstruction) insert_threads=\(threads); q/s = best of \(repeats) runs")

        let gen = SyntheticVectors(dims: dims, clusters: clusters, seed: seed)
        let data = gen.vectors(count: count, stream: 0)
        let queryData = gen.vectors(count: queries, stream: 1)
        let dir = dataDir ?? NSTemporaryDirectory() + "lakehouse-bench-vector-\(getpid())"
        defer { if dataDir == nil { try? FileManager.default.removeItem(atPath: dir) } }
        var config = VectorConfig()
        config.dataDir = dir
        config.insertThreads = threads
        config.snapshotWALBytes = 1 << 40  // measure the index, not snapshot I/O, during the build
        config.maxEF = 4_096
        let rssBefore = Self.rssBytes()
        let catalog = try IndexCatalog.open(config: config)
        let (index, _) = try catalog.create(name: "bench", params: IndexParams(dims: dims, metric: metric, m: m, efConstruction: efConstruction))
        let buildStart = ContinuousClock.now
        let batch = 10_000
        let reuse = index.count == count
        if reuse { print("build: reusing the index in \(dir)") }
        for start in stride(from: 0, to: reuse ? 0 : count, by: batch) {
            let end = min(start + batch, count)
            let items = (start..<end).map { i in
                VectorItem(id: "v\(i)", vector: Array(data[(i * dims)..<((i + 1) * dims)]))
            }
            _ = try await index.upsert(items)
        }
        let buildSeconds = seconds(ContinuousClock.now - buildStart)
        let rss = Self.rssBytes()
        print(String(format: "build: %.1f s (%.0f items/s, durable: WAL fsynced), RSS %.0f MiB (index ~%.0f MiB over baseline %.0f MiB; %.0f MiB in huge pages)",
                     buildSeconds, Double(count) / buildSeconds, Double(rss) / 1_048_576,
                     Double(rss - rssBefore) / 1_048_576, Double(rssBefore) / 1_048_576,
                     Double(Self.hugePageBytes()) / 1_048_576))
        let t0 = ContinuousClock.now
        let truth = groundTruth(data: data, queryData: queryData)
        print(String(format: "ground truth: exact search in %.1f s", seconds(ContinuousClock.now - t0)))
        if let path = writeData {
            try writeDataFile(path: path, data: data, queryData: queryData, truth: truth)
            print("wrote data file: \(path)")
        }


        let snapStart = ContinuousClock.now
        try await index.snapshot()
        let snapSeconds = seconds(ContinuousClock.now - snapStart)
        await catalog.close()
        let loadStart = ContinuousClock.now
        let reopened = try IndexCatalog.open(config: config)
        let loaded = try reopened.index(named: "bench")
        let loadSeconds = seconds(ContinuousClock.now - loadStart)
        print(String(format: "snapshot: write %.2f s, recovery (load graph + replay) %.2f s, %d items", snapSeconds, loadSeconds, loaded.count))

        let queryVectors = (0..<queries).map { Array(queryData[($0 * dims)..<(($0 + 1) * dims)]) }
        print("")
        print("    ef  recall@\(k)   qps(1 thread)  qps(\(threads) threads)  qps(1 thread, cpu time)")
        var rows: [[String: Double]] = []
        for ef in efs {
            var found = [[Int]](repeating: [], count: queries)
            for (i, q) in queryVectors.enumerated() {
                found[i] = try loaded.search(vector: q, k: k, ef: ef).map { Int($0.id.dropFirst())! }
            }
            var hits = 0
            for i in 0..<queries { hits += Set(found[i]).intersection(truth[i]).count }
            let recall = Double(hits) / Double(queries * k)
            let qps1 = try measure(loaded, queryVectors, ef: ef, threads: 1)
            let qpsN = try measure(loaded, queryVectors, ef: ef, threads: threads)
            let cpu = lastCPUQPS.value
            print(String(format: "%6d  %9.4f  %14.0f  %15.0f  %23.0f", ef, recall, qps1, qpsN, cpu))
            rows.append(["ef": Double(ef), "recall": recall, "qps1": qps1, "qpsN": qpsN, "qps1_cpu": cpu])
        }
        for target in [0.95, 0.99] {
            if let best = rows.filter({ $0["recall"]! >= target }).max(by: { $0["qps1"]! < $1["qps1"]! }) {
                print(String(format: "at recall@%d >= %.2f: ef=%d, %.0f q/s (1 thread), %.0f q/s (%d threads)",
                             k, target, Int(best["ef"]!), best["qps1"]!, best["qpsN"]!, threads))
            } else {
                print(String(format: "at recall@%d >= %.2f: not reached in the ef sweep", k, target))
            }
        }
        if let path = jsonOut {
            let doc: [String: Any] = [
                "impl": "vectord", "count": count, "dims": dims, "m": m, "ef_construction": efConstruction,
                "build_seconds": buildSeconds, "rss_bytes": rss, "threads": threads, "machine": machine, "rows": rows,
            ]
            try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        }
        await reopened.close()
    }

    /// Queries per second over all queries, split across `threads` threads: the best of
    /// `repeats` runs, since on a shared machine interference only ever makes a run slower.
    func measure(_ index: VectorIndex, _ queryVectors: [[Float]], ef: Int, threads: Int) throws -> Double {
        var best = 0.0
        var bestCPU = 0.0
        for _ in 0..<repeats {
            best = max(best, try measureOnce(index, queryVectors, ef: ef, threads: threads))
            bestCPU = max(bestCPU, lastCPUQPS.value)
        }
        if threads == 1 { lastCPUQPS.set(bestCPU) }
        return best
    }

    func measureOnce(_ index: VectorIndex, _ queryVectors: [[Float]], ef: Int, threads: Int) throws -> Double {
        let rounds = max(1, 2_000 / queryVectors.count)
        let total = queryVectors.count * rounds
        let failures = Failures()
        let start = ContinuousClock.now
        // Dedicated threads, as a server's request threads would be, rather than libdispatch's
        // pool (whose width and priorities vary with what else the process has queued).
        let cpuFigure = lastCPUQPS
        runOnThreads(threads) { [k] t in
            let cpuStart = Self.threadCPUSeconds()
            var i = t
            while i < total {
                do { _ = try index.search(vector: queryVectors[i % queryVectors.count], k: k, ef: ef) } catch { failures.record() }
                i += threads
            }
            if threads == 1 { cpuFigure.set(Double(total) / (Self.threadCPUSeconds() - cpuStart)) }
        }
        let elapsed = seconds(ContinuousClock.now - start)
        if failures.count > 0 { throw UsageError(description: "\(failures.count) searches failed") }
        return Double(total) / elapsed
    }

    /// Single-thread queries/s by the measuring thread's CPU time: on a shared machine, wall-clock
    /// figures include time other processes held the core; this column does not.
    let lastCPUQPS = CPUFigure()

    /// Runs `body(0..<n)` on `n` new threads and waits for all of them.
    func runOnThreads(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchGroup()
        for t in 0..<n {
            done.enter()
            let thread = Thread {
                body(t)
                done.leave()
            }
            thread.start()
        }
        done.wait()
    }

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Exact top-k ids for every query, on all cores.
    func groundTruth(data: [Float], queryData: [Float]) -> [Set<Int>] {
        var stored = data
        if metric == .cosine {
            for r in 0..<count {
                var norm: Float = 0
                for j in 0..<dims { norm += stored[r * dims + j] * stored[r * dims + j] }
                let inv = 1 / norm.squareRoot()
                for j in 0..<dims { stored[r * dims + j] *= inv }
            }
        }
        let results = ResultSlots(count: queries)
        let frozen = stored
        DispatchQueue.concurrentPerform(iterations: queries) { qi in
            var q = Array(queryData[(qi * dims)..<((qi + 1) * dims)])
            if metric == .cosine {
                let inv = 1 / q.reduce(0) { $0 + $1 * $1 }.squareRoot()
                q = q.map { $0 * inv }
            }
            let top = frozen.withUnsafeBufferPointer {
                BruteForceSearch.topK(query: q, vectors: $0, dims: dims, metric: metric, k: k)
            }
            results.set(qi, top.map(\.position))
        }
        return results.all.map { Set($0) }
    }

    /// Binary file for the hnswlib side: int32 count, dims, queries, k; float32 data; float32
    /// queries; int32 ground truth (queries × k), all little-endian.
    func writeDataFile(path: String, data: [Float], queryData: [Float], truth: [Set<Int>]) throws {
        var header = [Int32(count), Int32(dims), Int32(queries), Int32(k)]
        var out = Data()
        out.append(Data(bytes: &header, count: 16))
        data.withUnsafeBytes { out.append(contentsOf: $0) }
        queryData.withUnsafeBytes { out.append(contentsOf: $0) }
        // Ground truth rows are sets here; the file stores them unordered.
        var gt = truth.flatMap { $0.sorted().map { Int32($0) } }
        out.append(Data(bytes: &gt, count: gt.count * 4))
        try out.write(to: URL(fileURLWithPath: path))
    }

    func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func rssBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
        return 0
    }

    static func hugePageBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("AnonHugePages:") {
            return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
        }
        return 0
    }

    static func machine() -> String {
        var cpu = "unknown cpu"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") })
        {
            cpu = line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? cpu
        }
        let mem = ProcessInfo.processInfo.physicalMemory / (1 << 30)
        // The load average tells whether other work shared the cores during the run.
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
        return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(mem) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString), load average \(load)"
    }
}

/// Per-query result slots written from concurrent workers (each slot by exactly one worker).
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[Int]]
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ i: Int, _ v: [Int]) { lock.withLock { slots[i] = v } }
    var all: [[Int]] { lock.withLock { slots } }
}

final class CPUFigure: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = 0.0
    func set(_ v: Double) { lock.withLock { stored = v } }
    var value: Double { lock.withLock { stored } }
}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var count = 0
    func record() { lock.withLock { count += 1 } }
}
