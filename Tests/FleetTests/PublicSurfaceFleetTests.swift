import Foundation
import Glibc
import LakehouseKit
import Testing

/// The public surface on real processes: `/openapi.json` fuzzed by Schemathesis against a seeded
/// fleet, served without a key when keys are required; the operator CLI's exit codes and `--json`.
@Suite(.serialized) struct PublicSurfaceFleetTests {
    /// The operations Schemathesis exercises (the fill fleet serves these; distillation daemons are not started).
    static let fuzzedOperations = [
        "post_fill", "post_embed", "post_retrieve", "post_extract_role", "post_understand", "post_validate",
        "get_events", "post_events", "get_events_by_seq", "get_verify", "get_checkpoint",
        "get_facts_by_subject", "post_facts", "post_reconcile",
        "post_chat", "post_chat_completions", "get_providers", "post_iterate", "post_embeddings", "get_cache_stats",
        "get_indexes", "put_indexes_by_name", "get_indexes_by_name", "delete_indexes_by_name", "post_indexes_by_name_upsert", "post_indexes_by_name_delete",
        "get_indexes_by_name_items_by_id", "post_indexes_by_name_search", "get_corpora", "put_corpora_by_name", "get_corpora_by_name", "post_corpora_by_name_ingest",
        "post_playbooks", "post_memory", "get_memory", "post_memory_search", "get_memory_by_id", "put_memory_by_id", "delete_memory_by_id", "get_memory_by_id_history",
        "post_claims", "post_claims_import", "get_proof_inclusion", "get_proof_consistency",
    ]

    @Test func schemathesisFindsNoServerErrorAndNoAnswerThatContradictsTheDocument() async throws {
        let fill = try await FillFleet.start(workers: 300)
        defer { fill.fleet.removeData() }
        let document = try await fill.fleet.request(.gateway, .GET, "/openapi.json")
        #expect(document.status == .ok && document.json?["openapi"] as? String == "3.1.0", "\(document.text.prefix(300))")
        let ids = Set(((document.json?["paths"] as? [String: [String: [String: Any]]]) ?? [:]).values.flatMap { $0.values.compactMap { $0["operationId"] as? String } })
        #expect(Set(Self.fuzzedOperations).isSubset(of: ids), "\(Set(Self.fuzzedOperations).subtracting(ids))")

        let port = fill.fleet.ports[.gateway]!
        let result = try PythonScript.run("openapi_fuzz.py", ["--url", "http://127.0.0.1:\(port)", "--operations", Self.fuzzedOperations.joined(separator: ","),
                                                               "--max-examples", "5", "--max-time", "120"])
        #expect(result.status == 0, "schemathesis: \(result.output.suffix(6000))\n\(result.errors.suffix(2000))")
        #expect(result.output.contains("post_fill") || result.output.contains("/v1/fill"), "\(result.output.suffix(2000))")
        // The fleet is still whole after the fuzzing.
        for daemon in FillFleet.daemons { #expect(fill.fleet.process(daemon).isRunning, "\(daemon) died: \(fill.fleet.process(daemon).log.suffix(2000))") }
        _ = fill.fleet.stop()
    }

    @Test func theDocumentIsPublicWhileTheAPINeedsAKey() async throws {
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_API_KEYS": "k-one,k-two"])
        defer { fleet.removeData() }
        try fleet.start([.journald, .gateway])
        #expect(await fleet.waitUntilReady(.journald))
        #expect(await fleet.waitUntilReady(.gateway))
        let document = try await fleet.request(.gateway, .GET, "/openapi.json")
        #expect(document.status == .ok && document.json?["components"] != nil)
        #expect(try await fleet.request(.gateway, .GET, "/v1/verify").status == .unauthorized)
        #expect(try await fleet.request(.gateway, .GET, "/v1/verify", headers: ["Authorization": "Bearer k-two"]).status == .ok)
        _ = fleet.stop()
    }

    /// The console in headless Chromium on a seeded fleet with API keys: wrong key → an error, the right
    /// key → a fill with its candidates and e-mail; the fleet view shows a killed daemon as down; the
    /// journal finds the run; the audit view takes a baseline. Screenshots go to the printed directory.
    @Test func theConsoleWorksInARealBrowser() async throws {
        let fill = try await FillFleet.start(environment: ["LAKEHOUSE_API_KEYS": "console-key", "CHATD_LOCAL_FLAW_RATE": "0"])
        defer { fill.fleet.removeData() }
        try fill.fleet.start([.observerd], environment: ["OBSERVERD_PROBE_TIMEOUT_MS": "300"])
        #expect(await fill.fleet.waitUntilReady(.observerd))

        // Static files: ETag and Cache-Control, a revalidation is a bodyless 304, public without a key.
        let page = try await fill.fleet.request(.gateway, .GET, "/")
        let etag = try #require(page.headers["ETag"])
        #expect(page.status == .ok && page.headers["Cache-Control"] == "no-cache" && page.text.contains("/console/console.js"))
        let again = try await fill.fleet.request(.gateway, .GET, "/", headers: ["If-None-Match": etag])
        #expect(again.status.code == 304 && again.body.isEmpty)
        #expect(try await fill.fleet.request(.gateway, .GET, "/console/console.js").headers["Content-Type"]?.hasPrefix("text/javascript") == true)
        #expect(try await fill.fleet.request(.gateway, .GET, "/console/missing.js").status == .notFound)

        let screenshots = (ProcessInfo.processInfo.environment["LAKEHOUSE_TEST_OUTPUT"] ?? NSTemporaryDirectory()) + "/console-screenshots-\(UUID().uuidString.prefix(8))"
        let result = try PythonScript.run("console_browser.py", ["--url", "http://127.0.0.1:\(fill.fleet.ports[.gateway]!)", "--key", "console-key",
                                                                  "--kill-pid", String(fill.fleet.process(.truthd).pid), "--kill-name", "truthd",
                                                                  "--screenshots", screenshots])
        print("console screenshots: \(screenshots)")
        #expect(result.status == 0, "\(result.output)\n\(result.errors.suffix(4000))")
        for name in ["wrong-key", "fill", "fleet", "journal", "audit", "phone"] {
            #expect(FileManager.default.fileExists(atPath: "\(screenshots)/\(name).png"), "no screenshot \(name).png")
        }
        _ = fill.fleet.stop()
    }

    /// `Deploy/install.sh --root` stages the fleet as systemd would see it: the console files land where
    /// the gateway unit's `GATEWAY_CONSOLE_DIR` points, and the installed gateway started with the unit's
    /// environment serves the console at `/` (not the 404 of a gateway that finds no console).
    @Test func theInstalledGatewayServesTheConsole() async throws {
        let root = NSTemporaryDirectory() + "lakehouse-install-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (installed, log, errors) = try ChildProcess.run("/usr/bin/env", ["bash", PythonScript.repositoryRoot + "/Deploy/install.sh", "--root", root,
                                                                            "--bin-dir", DaemonProcess.binDirectory, "--no-start"])
        #expect(installed == 0, "\(log)\n\(errors)")
        #expect(log.contains("console: console.css console.js index.html -> /opt/lakehouse/console"), "\(log)")

        // The unit names the directory install.sh filled, with the repository's files in it.
        let unit = try String(contentsOfFile: root + "/etc/systemd/system/lakehouse-gateway.service", encoding: .utf8)
        let setting = unit.split(separator: "\n").first { $0.hasPrefix("Environment=GATEWAY_CONSOLE_DIR=") }
        let consoleDirectory = try #require(setting.map { String($0.dropFirst("Environment=GATEWAY_CONSOLE_DIR=".count)) }, "\(unit)")
        #expect(consoleDirectory == "/opt/lakehouse/console")
        let repositoryFiles = try FileManager.default.contentsOfDirectory(atPath: PythonScript.repositoryRoot + "/Console").sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + consoleDirectory).sorted() == repositoryFiles)
        for name in repositoryFiles {
            #expect(FileManager.default.contents(atPath: root + consoleDirectory + "/" + name) == FileManager.default.contents(atPath: PythonScript.repositoryRoot + "/Console/" + name), "\(name)")
        }

        // The installed binary, started away from the repository with the unit's variable (under the
        // staging root), serves the console; the index names its script, which is served too.
        let fleet = try Fleet(extraEnvironment: ["GATEWAY_CONSOLE_DIR": root + consoleDirectory])
        defer { fleet.removeData() }
        let gateway = Process()
        gateway.executableURL = URL(fileURLWithPath: root + "/opt/lakehouse/bin/gateway")
        gateway.environment = fleet.environment
        gateway.standardOutput = FileHandle.nullDevice
        gateway.standardError = FileHandle.nullDevice
        try gateway.run()
        defer { if gateway.isRunning { kill(gateway.processIdentifier, SIGKILL); gateway.waitUntilExit() } }
        var page: HTTPClientResponse?
        for _ in 0..<200 where page == nil {
            page = try? await fleet.request(.gateway, .GET, "/")
            if page == nil { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        let index = try #require(page, "the installed gateway did not answer")
        #expect(index.status == .ok && index.headers["Content-Type"]?.hasPrefix("text/html") == true && index.headers["ETag"] != nil, "\(index.status) \(index.text.prefix(300))")
        #expect(index.body == [UInt8](FileManager.default.contents(atPath: PythonScript.repositoryRoot + "/Console/index.html") ?? Data()))
        #expect(try await fleet.request(.gateway, .GET, "/console/console.js").status == .ok)
        // The page links the API description, which the same gateway serves.
        #expect(index.text.contains(#"href="/openapi.json""#))
        #expect(try await fleet.request(.gateway, .GET, "/openapi.json").json?["openapi"] as? String == "3.1.0")
        kill(gateway.processIdentifier, SIGTERM)
        gateway.waitUntilExit()
        #expect(gateway.terminationStatus == 0)
    }
}
