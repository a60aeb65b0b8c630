import Foundation
import LakehouseKit

/// `lakehouse <subcommand> [options]`: the operator CLI. This file only dispatches.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: lakehouse <command> [options]
    common options: --help, --json, --gateway URL (else LAKEHOUSE_GATEWAY_ADDR); LAKEHOUSE_API_KEY is sent as the bearer key
    exit codes: 0 ok, 1 failed check, 2 usage, 3 fleet unreachable
    commands:
      status         every daemon's health and readiness [--json]; exit 3 when the fleet is down
      journal        verify | events [--trace-id ID] [--type T] [--subject S] | proof (--seq N | --from N)
      audit          baselines | full: run an audit through observerd (exit 1 when a phase fails)
      materialize    journaled runs → evidence, quarantine, scored runs, with progress [--dry-run]
      export         sft | rag | preference: write an export through materializerd
      replay         replay recorded runs [--run-id ID]... [--limit N] (exit 1 on a regression)
      bench-vector   in-process HNSW benchmark (build time, RSS, queries/s at recall targets)
      fill           run the main job through the gateway: "SENTENCE" [--count N] [--provider P] [--max-attempts N]
      gen            generate the demo roster, roles, cities and claims [--count N] [--seed S] [--out DIR] (offline)
      ingest         stream a JSONL file into a matrixd corpus: FILE --corpus NAME [--chunk N]
      seed           generate (if missing) and load the demo data into a running fleet [--count N] [--data DIR]
      bench-http     bounded HTTP load generator, closed loop or constant rate (--rate), for Scripts/bench
      fake-chat-provider  a stand-in model provider with a fixed answer (benchmark tooling)
    `lakehouse <command> --help` describes one command. ingest and seed go straight to matrixd and truthd
    (LAKEHOUSE_MATRIXD_ADDR, LAKEHOUSE_TRUTHD_ADDR) unless --gateway is given.
    """

switch arguments.first {
case "status":
    exit(await GatewayCall.exitCode("status") { try await StatusCommand(arguments: Array(arguments.dropFirst())).run() })
case "journal":
    exit(await GatewayCall.exitCode("journal") { try await JournalCommand(arguments: Array(arguments.dropFirst())).run() })
case "audit":
    exit(await GatewayCall.exitCode("audit") { try await AuditCommand(arguments: Array(arguments.dropFirst())).run() })
case "materialize":
    exit(await GatewayCall.exitCode("materialize") { try await MaterializeCommand(arguments: Array(arguments.dropFirst())).run() })
case "export":
    exit(await GatewayCall.exitCode("export") { try await ExportCommand(arguments: Array(arguments.dropFirst())).run() })
case "replay":
    exit(await GatewayCall.exitCode("replay") { try await ReplayCommand(arguments: Array(arguments.dropFirst())).run() })
case "bench-vector":
    do {
        try await VectorBenchmark(arguments: Array(arguments.dropFirst())).run()
    } catch {
        FileHandle.standardError.write(Data("lakehouse bench-vector: \(error)\n".utf8))
        exit(1)
    }
case "fill":
    exit(await GatewayCall.exitCode("fill") { try await FillSubcommand(arguments: Array(arguments.dropFirst())).run() })
case "gen":
    exit(await GatewayCall.exitCode("gen") { try GenerateCommand(arguments: Array(arguments.dropFirst())).run() })
case "ingest":
    exit(await GatewayCall.exitCode("ingest") { try await IngestCommand(arguments: Array(arguments.dropFirst())).run() })
case "seed":
    exit(await GatewayCall.exitCode("seed") { try await SeedCommand(arguments: Array(arguments.dropFirst())).run() })
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
