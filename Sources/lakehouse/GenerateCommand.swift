import Foundation
import LakehouseKit

/// `lakehouse gen [--count N] [--seed S] [--out DIR]`: writes the deterministic demo data
/// (workers.jsonl, roles.json, cities.json, claims.jsonl) into DIR (default `$LAKEHOUSE_DATA_DIR/seed`).
struct GenerateCommand {
    var count = 5_000
    var seed: UInt64 = 42
    var out: String

    init(arguments: [String]) throws {
        out = CLIOptions.dataDirectory() + "/seed"
        var options = CLIOptions(arguments)
        while let flag = options.next() {
            switch flag {
            case "--count": count = try options.positiveInt(flag)
            case "--seed": seed = UInt64(try options.nonNegativeInt(flag))
            case "--out": out = try options.value(flag)
            default: throw CLIOptions.UsageError(description: "unknown option \(flag); usage: lakehouse gen [--count N] [--seed S] [--out DIR]")
            }
        }
    }

    func run() throws {
        let started = Date()
        let summary = try RosterGenerator(count: count, seed: seed).write(to: out)
        let seconds = Date().timeIntervalSince(started)
        print(String(format: "gen: %d workers, %d claims (%d deliberate conflicts), seed %llu → %@ in %.2f s",
                     summary.workers, summary.claims, summary.conflicts, seed, out, seconds))
    }
}

/// Small flag parsing shared by the subcommands.
struct CLIOptions {
    struct UsageError: Error, CustomStringConvertible { let description: String }

    private var iterator: IndexingIterator<[String]>
    private(set) var positional: [String] = []

    init(_ arguments: [String]) { iterator = arguments.makeIterator() }

    /// The next flag; positional arguments are collected aside.
    mutating func next() -> String? {
        while let argument = iterator.next() {
            if argument.hasPrefix("--") { return argument }
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
