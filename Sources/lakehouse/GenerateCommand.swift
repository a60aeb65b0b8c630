import Foundation
import LakehouseKit

/// `lakehouse gen [--count N] [--seed S] [--out DIR] [--json]`: writes the deterministic demo data
/// (workers.jsonl, roles.json, cities.json, claims.jsonl) into DIR (default `$LAKEHOUSE_DATA_DIR/seed`).
/// It talks to no daemon: `--gateway` is accepted like on every command and not used.
struct GenerateCommand {
    static let usage = """
        usage: lakehouse gen [--count N] [--seed S] [--out DIR] [--json] [--gateway URL]
        writes the deterministic demo data (workers.jsonl, roles.json, cities.json, claims.jsonl) into DIR
        (default $LAKEHOUSE_DATA_DIR/seed): N workers (default 5000), seed S (default 42). Works offline
        (--gateway is accepted and not used). Exit 1 when the files cannot be written.
        """

    var count = 5_000
    var seed: UInt64 = 42
    var out: String
    var call = GatewayCall()

    struct Report: Encodable {
        let workers: Int
        let claims: Int
        let conflicts: Int
        let seed: UInt64
        let out: String
        let seconds: Double
    }

    init(arguments: [String]) throws {
        out = CLIOptions.dataDirectory() + "/seed"
        var options = CLIOptions(arguments)
        while let flag = options.next() {
            if try call.take(flag, &options, usage: Self.usage) { continue }
            switch flag {
            case "--count": count = try options.positiveInt(flag)
            case "--seed": seed = UInt64(try options.nonNegativeInt(flag))
            case "--out": out = try options.value(flag)
            default: throw CLIOptions.UsageError(description: "unknown option \(flag)\n\(Self.usage)")
            }
        }
        guard options.positional.isEmpty else { throw CLIOptions.UsageError(description: "unexpected argument \(options.positional[0])\n\(Self.usage)") }
    }

    /// Writes the files; prints the summary (one JSON document with `--json`).
    func run() throws -> Bool {
        let report = try generate()
        if call.json {
            print(String(decoding: try JSONCoding.encode(report), as: UTF8.self))
        } else {
            print(report.line)
        }
        return true
    }

    /// Writes the files without printing anything.
    func generate() throws -> Report {
        let started = Date()
        let summary: RosterGenerator.Summary
        do {
            summary = try RosterGenerator(count: count, seed: seed).write(to: out)
        } catch {
            throw GatewayCall.Failed(description: "writing \(out): \(error)")
        }
        return Report(workers: summary.workers, claims: summary.claims, conflicts: summary.conflicts, seed: seed, out: out,
                      seconds: Date().timeIntervalSince(started))
    }
}

extension GenerateCommand.Report {
    var line: String {
        String(format: "gen: %d workers, %d claims (%d deliberate conflicts), seed %llu → %@ in %.2f s", workers, claims, conflicts, seed, out, seconds)
    }
}

/// Small flag parsing shared by the subcommands.
struct CLIOptions {
    struct UsageError: Error, CustomStringConvertible { let description: String }

    private var iterator: IndexingIterator<[String]>
    private(set) var positional: [String] = []

    init(_ arguments: [String]) { iterator = arguments.makeIterator() }

    /// The next flag (`--name`, or `-h`); positional arguments are collected aside.
    mutating func next() -> String? {
        while let argument = iterator.next() {
            if argument.hasPrefix("--") || argument == "-h" { return argument }
            positional.append(argument)
        }
        return nil
    }

    mutating func value(_ flag: String) throws -> String {
        guard let value = iterator.next() else { throw UsageError(description: "\(flag) needs a value") }
        return value
    }

    mutating func positiveInt(_ flag: String) throws -> Int {
        guard let value = Int(try self.value(flag)), value > 0 else { throw UsageError(description: "\(flag) needs a positive integer") }
        return value
    }

    mutating func nonNegativeInt(_ flag: String) throws -> Int {
        guard let value = Int(try self.value(flag)), value >= 0 else { throw UsageError(description: "\(flag) needs a non-negative integer") }
        return value
    }

    static func dataDirectory() -> String {
        let value = ProcessInfo.processInfo.environment["LAKEHOUSE_DATA_DIR"] ?? ""
        return value.isEmpty ? "./data" : value
    }

    /// Where a daemon listens (`LAKEHOUSE_<DAEMON>_ADDR`, else its default port).
    static func address(_ daemon: Daemon) throws -> SocketAddress {
        let environment = Environment(ProcessInfo.processInfo.environment)
        return try environment.address(daemon.addressVariable, default: "127.0.0.1:\(daemon.defaultPort)")
    }

    /// JSON content type, and the service token when `LAKEHOUSE_SERVICE_TOKEN` is set.
    static func headers() -> HTTPHeaders {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let token = ProcessInfo.processInfo.environment["LAKEHOUSE_SERVICE_TOKEN"], !token.isEmpty { headers.set("X-Lakehouse-Token", token) }
        return headers
    }
}
