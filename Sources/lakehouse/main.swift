import Foundation
import LakehouseKit

/// `lakehouse <subcommand> [options]`: the operator CLI. This file only dispatches.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: lakehouse <command> [options]
    commands:
      bench-vector   in-process HNSW benchmark (build time, RSS, queries/s at recall targets)
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
