import Foundation
import Glibc
import LakehouseKit

/// `lakehouse ingest FILE --corpus NAME [--chunk N] [--json] [--gateway URL]`: streams a JSONL file
/// into matrixd (straight to `LAKEHOUSE_MATRIXD_ADDR`, or through the gateway with `--gateway`),
/// `chunk` records per request with two requests in flight, showing progress on stderr (a bar with
/// records/s and ETA on a terminal, a plain line every few seconds otherwise) and a summary at the end.
struct IngestCommand {
    static let usage = """
        usage: lakehouse ingest FILE --corpus NAME [--chunk N] [--json] [--gateway URL]
        streams a JSONL file (one record per line) into a matrixd corpus, N records per request (default 8192),
        with progress on stderr (a bar on a terminal, a line every 5 s otherwise) and a summary at the end.
        Goes straight to matrixd (LAKEHOUSE_MATRIXD_ADDR) unless --gateway is given (then LAKEHOUSE_API_KEY is
        the bearer key; each chunk must then be stored within the gateway's LAKEHOUSE_PEER_TIMEOUT_MS, so lower
        --chunk on a slow matrixd). Exit 1: the file cannot be read or matrixd refused a chunk; 3: unreachable.
        """

    var file = ""
    var corpus = ""
    var chunk = 8_192
    var call = GatewayCall()

    struct Report: Encodable, Sendable {
        let corpus: String
        let file: String
        let records: Int
        let seconds: Double
        let records_per_s: Double
    }

    init(arguments: [String]) throws {
        var options = CLIOptions(arguments)
        while let flag = options.next() {
            if try call.take(flag, &options, usage: Self.usage) { continue }
            switch flag {
            case "--corpus": corpus = try options.value(flag)
            case "--chunk": chunk = try options.positiveInt(flag)
            default: throw CLIOptions.UsageError(description: "unknown option \(flag)\n\(Self.usage)")
            }
        }
        guard options.positional.count == 1, !corpus.isEmpty else {
            throw CLIOptions.UsageError(description: Self.usage)
        }
        file = options.positional[0]
    }

    /// Ingests and prints the summary (one JSON document with `--json`).
    func run() async throws -> Bool {
        let report = try await ingest()
        print(call.json ? String(decoding: try JSONCoding.encode(report), as: UTF8.self) : report.line)
        return true
    }

    /// Ingests without printing the summary; answers what matrixd stored.
    func ingest(client: HTTPClient = IngestCommand.client()) async throws -> Report {
        let total = try JSONLFile.countRecords(file)
        let progress = Progress(label: "ingest \(corpus)", total: total)
        let started = Date()
        var stored = 0
        var inFlight: [Task<Int, any Error>] = []
        let target = "/v1/corpora/\(corpus)/ingest"
        let reader = try JSONLReader(path: file)
        let call = call
        while let (body, records) = try reader.nextChunk(records: chunk) {
            if inFlight.count == 2 {
                stored += try await inFlight.removeFirst().value
                progress.update(stored)
            }
            inFlight.append(Task.detached {
                _ = try await call.exchange(.POST, target, body: body, for: .matrixd, client: client)
                return records
            })
        }
        for task in inFlight {
            stored += try await task.value
            progress.update(stored)
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(started)
        return Report(corpus: corpus, file: file, records: stored, seconds: seconds, records_per_s: Double(stored) / max(seconds, 1e-9))
    }

    static func client() -> HTTPClient {
        HTTPClient(configuration: .init(connectTimeoutMs: 2_000, requestTimeoutMs: 900_000))
    }
}

extension IngestCommand.Report {
    var line: String {
        String(format: "ingest: %d records into corpus %@ in %.1f s (%.0f records/s)", records, corpus, seconds, records_per_s)
    }
}

/// Reading JSONL without holding the file: records are lines, blank lines are skipped.
enum JSONLFile {
    static func countRecords(_ path: String) throws -> Int {
        var count = 0
        try forEachLine(path) { _ in count += 1 }
        return count
    }

    static func forEachLine(_ path: String, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        let handle = try FileHandleFD(path: path, flags: O_RDONLY)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var carry: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(handle.fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError("read", path: path)
            }
            if n == 0 { break }
            var start = 0
            for i in 0..<n where buffer[i] == UInt8(ascii: "\n") {
                if carry.isEmpty {
                    if !isBlank(buffer[start..<i]) { try body(buffer[start..<i]) }
                } else {
                    carry.append(contentsOf: buffer[start..<i])
                    if !isBlank(carry[...]) { try body(carry[...]) }
                    carry.removeAll(keepingCapacity: true)
                }
                start = i + 1
            }
            carry.append(contentsOf: buffer[start..<n])
        }
        if !isBlank(carry[...]) { try body(carry[...]) }
    }

    static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}

/// Reads a JSONL file a chunk of records at a time, as `{"records":[…]}` bodies with the lines
/// spliced in as they are.
final class JSONLReader {
    private let handle: FileHandleFD
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var carry: [UInt8] = []
    private var lines: [ArraySlice<UInt8>] = []
    private var ended = false

    init(path: String) throws {
        handle = try FileHandleFD(path: path, flags: O_RDONLY)
    }

    private func fill() throws {
        while lines.isEmpty && !ended {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(handle.fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError("read", path: handle.path)
            }
            if n == 0 {
                ended = true
                if !JSONLFile.isBlank(carry[...]) { lines.append(carry[...]) }
                carry = []
                return
            }
            var start = 0
            for i in 0..<n where buffer[i] == UInt8(ascii: "\n") {
                carry.append(contentsOf: buffer[start..<i])
                if !JSONLFile.isBlank(carry[...]) { lines.append(ArraySlice(carry)) }
                carry.removeAll(keepingCapacity: true)
                start = i + 1
            }
            carry.append(contentsOf: buffer[start..<n])
        }
    }

    func nextChunk(records: Int) throws -> ([UInt8], Int)? {
        var chunk: [UInt8] = Array("{\"records\":[".utf8)
        var count = 0
        while count < records {
            try fill()
            if lines.isEmpty { break }
            let take = min(records - count, lines.count)
            for line in lines[0..<take] {
                if count > 0 { chunk.append(UInt8(ascii: ",")) }
                chunk.append(contentsOf: line)
                count += 1
            }
            lines.removeFirst(take)
        }
        guard count > 0 else { return nil }
        chunk.append(contentsOf: "]}".utf8)
        return (chunk, count)
    }
}

/// Progress on stderr: a redrawn bar on a terminal, a plain line every 5 s otherwise.
final class Progress {
    let label: String
    let total: Int
    let started = Date()
    let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastPlain = Date()

    init(label: String, total: Int) {
        self.label = label
        self.total = total
    }

    func update(_ done: Int) {
        let elapsed = Date().timeIntervalSince(started)
        let rate = Double(done) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = String(format: "\r%@ %@ %d/%d %5.1f%% %.0f rec/s ETA %@ ", label, bar, done, total, fraction * 100, rate, Progress.duration(eta))
            FileHandle.standardError.write(Data(line.utf8))
        } else if Date().timeIntervalSince(lastPlain) >= 5 || done == total {
            lastPlain = Date()
            let line = String(format: "%@: %d/%d records (%.1f%%), %.0f records/s, ETA %@\n", label, done, total, fraction * 100, rate, Progress.duration(eta))
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
