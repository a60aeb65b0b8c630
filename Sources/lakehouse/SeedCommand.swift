import Foundation
import LakehouseKit

/// `lakehouse seed [--count N] [--data DIR]`: the demo data on a running fleet, idempotently.
/// Generates `DIR/seed/` if it is missing (N workers, default `LAKEHOUSE_SEED_WORKERS` or 5,000),
/// creates the `workers` and `playbooks` corpora, ingests the roster unless the corpus already
/// holds it, and posts the claims to truthd once (a marker file remembers that they were taken).
struct SeedCommand {
    var count: Int
    var data = CLIOptions.dataDirectory()

    static let corpora = [
        ("workers", #"{"index":"workers","text_fields":["role","skills","city","state"],"role_field":"role"}"#),
        ("playbooks", #"{"index":"playbooks","text_fields":["query","role","city","state"],"role_field":"role"}"#),
    ]
    static let claimBatch = 1_000

    struct Failure: Error, CustomStringConvertible { let description: String }

    init(arguments: [String]) throws {
        count = Int(ProcessInfo.processInfo.environment["LAKEHOUSE_SEED_WORKERS"] ?? "") ?? 5_000
        var options = CLIOptions(arguments)
        while let flag = options.next() {
            switch flag {
            case "--count": count = try options.positiveInt(flag)
            case "--data": data = try options.value(flag)
            default: throw CLIOptions.UsageError(description: "unknown option \(flag); usage: lakehouse seed [--count N] [--data DIR]")
            }
        }
    }

    func run() async throws {
        let seed = data + "/seed"
        let workers = seed + "/workers.jsonl"
        if !FileManager.default.fileExists(atPath: workers) {
            var generate = try GenerateCommand(arguments: [])
            generate.count = count
            generate.out = seed
            try generate.run()
        }
        let client = IngestCommand.client()
        let matrixd = try CLIOptions.address(.matrixd)
        for (name, definition) in SeedCommand.corpora {
            let response = try await client.send(HTTPClientRequest(method: .PUT, target: "/v1/corpora/\(name)", headers: CLIOptions.headers(), body: Array(definition.utf8)), to: matrixd)
            guard response.status == .ok || response.status == .created else {
                throw Failure(description: "creating corpus \(name): matrixd answered \(response.status.code): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
            }
        }
        let records = try JSONLFile.countRecords(workers)
        let stats = try await client.send(HTTPClientRequest(method: .GET, target: "/v1/corpora/workers", headers: CLIOptions.headers()), to: matrixd)
        let stored = ((try? JSONSerialization.jsonObject(with: Data(stats.body))) as? [String: Any])?["count"] as? Int ?? 0
        if stored >= records {
            print("seed: corpus workers already holds \(stored) records (\(records) in \(workers)); not ingesting again")
        } else {
            var ingest = try IngestCommand(arguments: [workers, "--corpus", "workers"])
            ingest.chunk = 8_192
            try await ingest.run(client: client)
        }
        try await postClaims(seed: seed, client: client)
    }

    /// Posts claims.jsonl to truthd in batches; a truthd that is down or lacks the route is reported
    /// and skipped (seeding again later posts them).
    func postClaims(seed: String, client: HTTPClient) async throws {
        let marker = seed + "/claims.posted"
        guard !FileManager.default.fileExists(atPath: marker) else {
            print("seed: claims already posted to truthd (\(marker))")
            return
        }
        let truthd = try CLIOptions.address(.truthd)
        let reader = try JSONLReader(path: seed + "/claims.jsonl")
        var posted = 0
        while let (records, n) = try reader.nextChunk(records: SeedCommand.claimBatch) {
            // The reader writes {"records":[…]}; truthd takes {"claims":[…]}.
            let body = Array("{\"claims\"".utf8) + records.dropFirst("{\"records\"".utf8.count)
            let response: HTTPClientResponse
            do {
                response = try await client.send(HTTPClientRequest(method: .POST, target: "/v1/claims", headers: CLIOptions.headers(), body: body), to: truthd)
            } catch {
                print("seed: truthd is not reachable (\(error)); \(posted) claims posted, the rest skipped — run `lakehouse seed` again once truthd is up")
                return
            }
            guard response.status == .ok || response.status == .created else {
                print("seed: truthd answered \(response.status.code) to POST /v1/claims (\(String(decoding: response.body.prefix(200), as: UTF8.self))); \(posted) claims posted, the rest skipped — run `lakehouse seed` again once truthd takes claims")
                return
            }
            posted += n
        }
        try DurableFile.atomicReplace(path: marker, bytes: Array("\(posted)\n".utf8))
        print("seed: \(posted) claims posted to truthd")
    }
}
