import Foundation
import LakehouseKit

/// `lakehouse seed [--count N] [--data DIR] [--json] [--gateway URL]`: the demo data on a running
/// fleet, idempotently. Generates `DIR/seed/` if it is missing (N workers, default
/// `LAKEHOUSE_SEED_WORKERS` or 5,000), creates the `workers` and `playbooks` corpora, ingests the
/// roster unless the corpus already holds it, and posts the claims to truthd once (a marker file
/// remembers that they were taken). Straight to matrixd and truthd, or through the gateway with `--gateway`.
struct SeedCommand {
    static let usage = """
        usage: lakehouse seed [--count N] [--data DIR] [--json] [--gateway URL]
        loads the demo data into a running fleet, idempotently: generates DIR/seed/ when it is missing (N workers,
        default LAKEHOUSE_SEED_WORKERS or 5000; DIR defaults to LAKEHOUSE_DATA_DIR), creates the workers and
        playbooks corpora, ingests the roster unless the corpus already holds it, and posts the claims to truthd
        once (a truthd that is down is reported and skipped: seed again later). Goes straight to matrixd and
        truthd (LAKEHOUSE_MATRIXD_ADDR, LAKEHOUSE_TRUTHD_ADDR) unless --gateway is given (then LAKEHOUSE_API_KEY
        is the bearer key). Exit 1: matrixd refused a call; 3: matrixd (or the gateway) unreachable.
        """

    var count: Int
    var data = CLIOptions.dataDirectory()
    var call = GatewayCall()

    static let corpora = [
        ("workers", #"{"index":"workers","text_fields":["role","skills","city","state"],"role_field":"role"}"#),
        ("playbooks", #"{"index":"playbooks","text_fields":["query","role","city","state"],"role_field":"role"}"#),
    ]
    static let claimBatch = 1_000

    /// What `--json` prints: each step's outcome, and the human lines in `messages`.
    struct Report: Encodable {
        var seed_dir: String
        var generated: GenerateCommand.Report?
        var corpora: [String] = []
        /// Records the workers corpus held before this seed.
        var corpus_records_before = 0
        var ingested: IngestCommand.Report?
        /// `posted`, `already_posted` or `skipped` (truthd down or refusing; seed again later).
        var claims = "skipped"
        var claims_posted = 0
        var messages: [String] = []
    }

    init(arguments: [String]) throws {
        count = Int(ProcessInfo.processInfo.environment["LAKEHOUSE_SEED_WORKERS"] ?? "") ?? 5_000
        var options = CLIOptions(arguments)
        while let flag = options.next() {
            if try call.take(flag, &options, usage: Self.usage) { continue }
            switch flag {
            case "--count": count = try options.positiveInt(flag)
            case "--data": data = try options.value(flag)
            default: throw CLIOptions.UsageError(description: "unknown option \(flag)\n\(Self.usage)")
            }
        }
        guard options.positional.isEmpty else { throw CLIOptions.UsageError(description: "unexpected argument \(options.positional[0])\n\(Self.usage)") }
    }

    func run() async throws -> Bool {
        let seed = data + "/seed"
        var report = Report(seed_dir: seed)
        var messages: [String] = []
        func say(_ line: String) {
            messages.append(line)
            if !call.json { print(line) }
        }
        let workers = seed + "/workers.jsonl"
        if !FileManager.default.fileExists(atPath: workers) {
            var generate = try GenerateCommand(arguments: [])
            generate.count = count
            generate.out = seed
            let generated = try generate.generate()
            report.generated = generated
            say(generated.line)
        }
        let client = IngestCommand.client()
        for (name, definition) in SeedCommand.corpora {
            _ = try await call.exchange(.PUT, "/v1/corpora/\(name)", body: Array(definition.utf8), for: .matrixd, client: client)
            report.corpora.append(name)
        }
        let records = try JSONLFile.countRecords(workers)
        let stats = try await call.exchange(.GET, "/v1/corpora/workers", for: .matrixd, client: client)
        let stored = ((try? JSONSerialization.jsonObject(with: Data(stats.body))) as? [String: Any])?["count"] as? Int ?? 0
        report.corpus_records_before = stored
        if stored >= records {
            say("seed: corpus workers already holds \(stored) records (\(records) in \(workers)); not ingesting again")
        } else {
            var ingest = try IngestCommand(arguments: [workers, "--corpus", "workers"])
            ingest.call = call
            let ingested = try await ingest.ingest(client: client)
            report.ingested = ingested
            say(ingested.line)
        }
        try await postClaims(seed: seed, client: client, into: &report, say: say)
        report.messages = messages
        if call.json { print(String(decoding: try JSONCoding.encode(report), as: UTF8.self)) }
        return true
    }

    /// Posts claims.jsonl to truthd in batches; a truthd that is down or lacks the route is reported
    /// and skipped (seeding again later posts them).
    func postClaims(seed: String, client: HTTPClient, into report: inout Report, say: (String) -> Void) async throws {
        let marker = seed + "/claims.posted"
        guard !FileManager.default.fileExists(atPath: marker) else {
            report.claims = "already_posted"
            say("seed: claims already posted to truthd (\(marker))")
            return
        }
        let reader = try JSONLReader(path: seed + "/claims.jsonl")
        var posted = 0
        while let (records, n) = try reader.nextChunk(records: SeedCommand.claimBatch) {
            // The reader writes {"records":[…]}; truthd takes {"claims":[…]}.
            let body = Array("{\"claims\"".utf8) + records.dropFirst("{\"records\"".utf8.count)
            do {
                _ = try await call.exchange(.POST, "/v1/claims", body: body, for: .truthd, client: client)
            } catch let error as GatewayCall.Unreachable {
                report.claims_posted = posted
                say("seed: truthd is not reachable (\(error)); \(posted) claims posted, the rest skipped — run `lakehouse seed` again once truthd is up")
                return
            } catch let error as GatewayCall.Failed {
                report.claims_posted = posted
                say("seed: truthd refused the claims (\(error)); \(posted) claims posted, the rest skipped — run `lakehouse seed` again once truthd takes claims")
                return
            }
            posted += n
        }
        try DurableFile.atomicReplace(path: marker, bytes: Array("\(posted)\n".utf8))
        report.claims = "posted"
        report.claims_posted = posted
        say("seed: \(posted) claims posted to truthd")
    }
}
