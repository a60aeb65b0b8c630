import Foundation
import LakehouseKit

/// `lakehouse <subcommand> [options]`: the operator CLI. This file only dispatches.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: lakehouse <command> [options]
    commands:
      bench-vector   in-process HNSW benchmark (build time, RSS, queries/s at recall targets)
      fill           run the main job through the gateway: "SENTENCE" [--count N] [--provider P] [--max-attempts N] [--json]
      gen            generate the demo roster, roles, cities and claims [--count N] [--seed S] [--out DIR]
      ingest         stream a JSONL file into a matrixd corpus: FILE --corpus NAME [--chunk N]
      seed           generate (if missing) and load the demo data into a running fleet [--count N] [--data DIR]
      bench-http     bounded HTTP load generator, closed loop or constant rate (--rate), for Scripts/bench
      fake-chat-provider  a stand-in model provider with a fixed answer (benchmark tooling)
    """

switch arguments.first {
case "bench-vector":
    do {
        try await VectorBenchmark(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("lakehouse bench-vector: \(error)\n".utf8))
        exit(1)
    }
case "fill":
    do {
        let valid = try await FillSubcommand(arguments: Array(arguments.dropFirst())).run()
        exit(valid ? 0 : 1)
    } catch let error as CLIOptions.UsageError {
        FileHandle.standardError.write(Data("lakehouse fill: \(error)\n".utf8))
        exit(2)
    } catch let error as FillSubcommand.Unreachable {
        FileHandle.standardError.write(Data("lakehouse fill: \(error)\n".utf8))
        exit(3)
    } catch {
        FileHandle.standardError.write(Data("lakehouse fill: \(error)\n".utf8))
        exit(1)
    }
case "gen":
    do {
        try GenerateCommand(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("lakehouse gen: \(error)\n".utf8))
        exit(1)
    }
case "ingest":
    do {
        try await IngestCommand(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("lakehouse ingest: \(error)\n".utf8))
        exit(1)
    }
case "seed":
    do {
        try await SeedCommand(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("lakehouse seed: \(error)\n".utf8))
        exit(1)
    }
case "bench-http":
    do {
        try LoadGenerator(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("lakehouse bench-http: \(error)\n".utf8))
        exit(1)
    }
case "fake-chat-provider":
    do {
        try await FakeChatServer(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("lakehouse fake-chat-provider: \(error)\n".utf8))
        exit(1)
    }
case "-h", "--help", "help":
    print(usage)
default:
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
