import Dispatch
import Foundation
import LakehouseKit

/// matrixd: corpora, multi-corpus retrieve with the role gate, playbooks, pathway memory, request
/// understanding (SPEC §6). The route table; handlers in `MatrixRoutes`, the domain in `Retriever`,
/// `CorpusIngest`, `Playbooks`, `PathwayMemory` and `RequestUnderstanding`.
public struct MatrixService: DaemonService {
    let context: DaemonContext
    let config: MatrixConfig
    let routes: MatrixRoutes
    let memory = MemoryHolder()
    let calls: PeerCalls

    public init(context: DaemonContext) throws {
        self.context = context
        config = try MatrixConfig(environment: context.environment)
        calls = PeerCalls(peers: context.peers, upsertTimeoutMs: config.upsertTimeoutMs)
        let catalog = try CorpusCatalog(directory: context.config.dataDirectory)
        let setup = CorpusSetup(catalog: catalog, calls: calls)
        let ingest = CorpusIngest(calls: calls, config: config)
        let understanding = RequestUnderstanding(calls: calls, config: config)
        routes = MatrixRoutes(
            catalog: catalog, setup: setup, ingest: ingest,
            retriever: Retriever(catalog: catalog, calls: calls, understanding: understanding, config: config),
            playbooks: Playbooks(corpora: setup, ingest: ingest),
            understanding: understanding, memory: memory, config: config)
        let memory = self.memory
        context.metrics.gauge("matrixd_corpora", help: "Corpora defined.") { Double(catalog.list().count) }
        context.metrics.gauge("matrixd_memories", help: "Pathway memories (any state).") { Double(memory.current?.count ?? 0) }
    }

    public func register(_ router: inout Router) {
        let routes = self.routes
        router.get("/v1/corpora") { try await routes.listCorpora($0) }
        router.put("/v1/corpora/{name}") { try await routes.putCorpus($0) }
        router.get("/v1/corpora/{name}") { try await routes.getCorpus($0) }
        router.delete("/v1/corpora/{name}") { try await routes.deleteCorpus($0) }
        router.streaming(.POST, "/v1/corpora/{name}/ingest") { try await routes.ingestRecords($0, body: $1) }
        router.post("/v1/retrieve") { try await routes.retrieve($0) }
        router.post("/v1/playbooks") { try await routes.recordPlaybook($0) }
        router.post("/v1/extract-role") { try await routes.extractRole($0) }
        router.post("/v1/understand") { try await routes.understand($0) }
        router.post("/v1/memory") { try await routes.createMemory($0) }
        router.get("/v1/memory") { try await routes.listMemories($0) }
        router.post("/v1/memory/search") { try await routes.searchMemories($0) }
        router.get("/v1/memory/{id}") { try await routes.getMemory($0) }
        router.put("/v1/memory/{id}") { try await routes.updateMemory($0) }
        router.delete("/v1/memory/{id}") { try await routes.deleteMemory($0) }
        router.get("/v1/memory/{id}/history") { try await routes.memoryHistory($0) }
    }

    /// Recovery of pathway memory (log replay). `/readyz` turns 200 after this and while embedd and
    /// vectord answer.
    public func start() async throws {
        let directory = (context.config.dataDirectory as NSString).appendingPathComponent("memory")
        let opened = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PathwayMemory, any Error>) in
            DispatchQueue.global().async { continuation.resume(with: Result { try PathwayMemory(directory: directory) }) }
        }
        for damage in opened.damage {
            context.logger.error("memory log damage (reported, not truncated)", [("damage", damage.description)])
        }
        memory.set(opened)
        context.logger.info("memory recovered", [("memories", String(opened.count))])
    }

    /// Ready when embedd and vectord are ready themselves (their `/readyz`: vectord answers 503
    /// while it recovers its indexes, and matrixd can do nothing useful before that).
    public func readinessProblems() async -> [String] {
        var problems: [String] = []
        for daemon in [Daemon.embedd, .vectord] {
            let address = context.config.peers[daemon]!
            do {
                let response = try await context.peers.send(daemon, .GET, "/readyz", timeoutMs: 1_000)
                if response.status != .ok { problems.append("\(daemon.rawValue) at \(address) is not ready (\(response.status.code))") }
            } catch {
                problems.append("\(daemon.rawValue) is not answering at \(address): \(error.description)")
            }
        }
        return problems
    }

    public func shutdown() async {
        memory.current?.close()
    }
}
