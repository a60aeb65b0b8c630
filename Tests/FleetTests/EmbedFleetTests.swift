import Foundation
import Glibc
import Testing
import LakehouseKit

/// embedd and the gateway's embed path, as real processes.
@Suite(.serialized) struct EmbedFleetTests {
    private func embedBody(_ response: HTTPClientResponse) -> [[Double]] {
        (response.json?["vectors"] as? [[Double]]) ?? []
    }

    private func norm(_ vector: [Double]) -> Double { vector.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    private func cosine(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / (norm(a) * norm(b)) }

    @Test func hashEmbeddingsAreDeterministicAcrossRestartsAndUnitNorm() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.embedd])
        #expect(await fleet.waitUntilReady(.embedd))
        let body = #"{"texts":["forklift operator in Toledo, OH","nurse night shift","","forklift operators Toledo Ohio"]}"#
        let first = try await fleet.request(.embedd, .POST, "/v1/embed", body: body)
        #expect(first.status == .ok)
        #expect(first.json?["dims"] as? Int == 384)
        let vectors = embedBody(first)
        #expect(vectors.count == 4)
        for vector in vectors { #expect(abs(norm(vector) - 1) < 1e-5) }
        // Lexical: the paraphrase sharing words is closer than the unrelated sentence.
        #expect(cosine(vectors[0], vectors[3]) > cosine(vectors[0], vectors[1]))

        _ = fleet.process(.embedd).terminate()
        try fleet.restart(.embedd)
        #expect(await fleet.waitUntilReady(.embedd))
        let second = try await fleet.request(.embedd, .POST, "/v1/embed", body: body)
        #expect(second.body == first.body, "same text must give byte-identical vectors across restarts")
        _ = fleet.stop()
    }

    @Test func openAICompatibleShapeAndCacheCounters() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.embedd])
        #expect(await fleet.waitUntilReady(.embedd))
        let response = try await fleet.request(.embedd, .POST, "/v1/embeddings", body: #"{"input":"reach truck","model":"hash-384"}"#)
        #expect(response.status == .ok)
        let json = try #require(response.json)
        #expect(json["object"] as? String == "list")
        let data = try #require(json["data"] as? [[String: Any]])
        #expect(data.count == 1)
        #expect(data[0]["object"] as? String == "embedding")
        #expect(data[0]["index"] as? Int == 0)
        #expect((data[0]["embedding"] as? [Double])?.count == 384)
        #expect(json["model"] as? String == "hash-384")
        #expect(json["usage"] is [String: Any])

        _ = try await fleet.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["reach truck","pallet jack"]}"#)
        let stats = try #require(try await fleet.request(.embedd, .GET, "/v1/cache/stats").json?["cache"] as? [String: Any])
        #expect(stats["hits"] as? Int == 1)
        #expect(stats["misses"] as? Int == 2)
        #expect(stats["entries"] as? Int == 2)
        let metrics = try await fleet.request(.embedd, .GET, "/metrics").text
        #expect(metrics.contains("embedd_cache_hits_total 1"))
        #expect(metrics.contains("# TYPE embedd_cache_hits_total counter"))
        _ = fleet.stop()
    }

    @Test func badInputGets4xxWithTheEnvelope() async throws {
        let fleet = try Fleet(extraEnvironment: ["EMBEDD_MAX_TEXTS": "4", "LAKEHOUSE_MAX_BODY": "65536"])
        defer { fleet.removeData() }
        try fleet.start([.embedd])
        #expect(await fleet.waitUntilReady(.embedd))
        let cases: [(String, String, Int)] = [
            ("/v1/embed", #"{"texts":[]}"#, 400),
            ("/v1/embed", #"{"texts":["ok",7]}"#, 400),
            ("/v1/embed", #"{"texts":"not a list"}"#, 400),
            ("/v1/embed", #"{"text":["missing field"]}"#, 400),
            ("/v1/embed", #"{"texts":["a","b","c","d","e"]}"#, 413),
            ("/v1/embed", "this is not json", 400),
            ("/v1/embed", #"{"texts":["a"],"model":"no-such-model"}"#, 400),
            ("/v1/embed", #"{"texts":["a"]"#, 400),
            ("/v1/embeddings", #"{"input":[]}"#, 400),
            ("/v1/embeddings", #"{"input":null}"#, 400),
            ("/v1/embeddings", #"{"input":["a"],"model":"text-embedding-3-small"}"#, 400),
            ("/v1/embed", "{\"texts\":[\"" + String(repeating: "x", count: 70_000) + "\"]}", 413),
        ]
        for (path, body, status) in cases {
            let response = try await fleet.request(.embedd, .POST, path, body: body)
            #expect(response.status.code == status, "\(path) \(body.prefix(60)) → \(response.status.code) \(response.text.prefix(200))")
            let error = response.json?["error"] as? [String: Any]
            #expect(error?["code"] is String && error?["message"] is String && error?["request_id"] is String, "\(response.text.prefix(200))")
        }
        // The daemon is unharmed.
        #expect(try await fleet.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["still fine"]}"#).status == .ok)
        _ = fleet.stop()
    }

    @Test func ollamaProviderEndToEndWithCoalescingAndErrors() async throws {
        let fake = try FakeEmbeddingProvider()
        let fleet = try Fleet(extraEnvironment: ["EMBEDD_PROVIDER": "ollama", "EMBEDD_BASE_URL": fake.baseURL, "EMBEDD_MODEL": "nomic-embed-text", "EMBEDD_TIMEOUT_MS": "1500"])
        defer { fleet.removeData() }
        try fleet.start([.embedd])
        #expect(await fleet.waitUntilReady(.embedd))

        let response = try await fleet.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["alpha","beta"]}"#)
        #expect(response.status == .ok, "\(response.text)")
        let vectors = embedBody(response)
        #expect(vectors.count == 2)
        #expect(zip(vectors[1], FakeEmbeddingProvider.vector(for: "beta")).allSatisfy { abs($0 - $1) < 1e-6 })

        // 50 concurrent requests for one new text → one provider call.
        fake.setDelay(milliseconds: 300)
        let before = fake.calls.load(ordering: .relaxed)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 { group.addTask { try await fleet.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["brand new text"]}"#).status.code } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 200 })
        #expect(fake.calls.load(ordering: .relaxed) - before == 1)

        // Provider errors and timeouts: 502 / 504 naming the provider.
        fake.setDelay(milliseconds: 0)
        fake.set(.status(500, "model exploded"))
        let failed = try await fleet.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["gamma"]}"#)
        #expect(failed.status == .badGateway)
        #expect(failed.text.contains("ollama"))
        fake.set(.garbage)
        let garbage = try await fleet.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["delta"]}"#)
        #expect(garbage.status == .badGateway)
        fake.set(.normal)
        fake.setDelay(milliseconds: 3_000)
        let slow = try await fleet.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["epsilon"]}"#)
        #expect(slow.status == .gatewayTimeout)
        #expect(slow.text.contains("ollama"))
        fake.setDelay(milliseconds: 0)
        await fake.stop()
        let down = try await fleet.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["zeta"]}"#)
        #expect(down.status == .serviceUnavailable)
        #expect(down.text.contains("ollama"))
        _ = fleet.stop()
    }

    @Test func openAIProviderEndToEnd() async throws {
        let fake = try FakeEmbeddingProvider()
        let fleet = try Fleet(extraEnvironment: ["EMBEDD_PROVIDER": "openai", "EMBEDD_BASE_URL": fake.baseURL, "EMBEDD_API_KEY": "test-key", "EMBEDD_MODEL": "text-embedding-3-small"])
        defer { fleet.removeData() }
        try fleet.start([.embedd])
        #expect(await fleet.waitUntilReady(.embedd))
        let response = try await fleet.request(.embedd, .POST, "/v1/embeddings", body: #"{"input":["one","two","three"]}"#)
        #expect(response.status == .ok, "\(response.text)")
        let data = try #require(response.json?["data"] as? [[String: Any]])
        #expect(data.map { $0["index"] as? Int } == [0, 1, 2])
        let third = try #require(data[2]["embedding"] as? [Double])
        #expect(zip(third, FakeEmbeddingProvider.vector(for: "three")).allSatisfy { abs($0 - $1) < 1e-6 })
        // The key never appears in errors: a wrong key reaches the provider as 401 → 502 naming openai.
        _ = fleet.stop()
        let wrongKey = try Fleet(extraEnvironment: ["EMBEDD_PROVIDER": "openai", "EMBEDD_BASE_URL": fake.baseURL, "EMBEDD_API_KEY": "sk-wrong-secret", "EMBEDD_MODEL": "text-embedding-3-small"])
        defer { wrongKey.removeData() }
        try wrongKey.start([.embedd])
        #expect(await wrongKey.waitUntilReady(.embedd))
        let denied = try await wrongKey.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["x"]}"#)
        #expect(denied.status == .badGateway)
        #expect(denied.text.contains("openai"))
        #expect(!denied.text.contains("sk-wrong-secret"))
        #expect(!wrongKey.process(.embedd).log.contains("sk-wrong-secret"))
        _ = wrongKey.stop()
        await fake.stop()
    }

    @Test func gatewayAnswers503WhileEmbeddIsDownAndRecoversByItself() async throws {
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_LOG_LEVEL": "debug"])
        defer { fleet.removeData() }
        try fleet.start([.gateway, .embedd])
        #expect(await fleet.waitUntilReady(.gateway))
        #expect(await fleet.waitUntilReady(.embedd))
        let body = #"{"texts":["forklift"]}"#
        let ok = try await fleet.request(.gateway, .POST, "/v1/embed", body: body, headers: ["X-Request-Id": "trace-123"])
        #expect(ok.status == .ok)
        #expect(ok.headers["X-Request-Id"] == "trace-123")
        // The id travelled on to embedd: its own access log line carries it.
        #expect(fleet.process(.embedd).log.contains("request_id=trace-123"), "\(fleet.process(.embedd).log.suffix(500))")
        let openAI = try await fleet.request(.gateway, .POST, "/v1/embeddings", body: #"{"input":"forklift"}"#)
        #expect(openAI.status == .ok)

        fleet.process(.embedd).killHard()
        let down = try await fleet.request(.gateway, .POST, "/v1/embed", body: body)
        #expect(down.status == .serviceUnavailable)
        let error = try #require(down.json?["error"] as? [String: Any])
        #expect(error["code"] as? String == "unavailable")
        #expect((error["message"] as? String)?.contains("embedd") == true)

        try fleet.restart(.embedd)
        #expect(await fleet.waitUntilReady(.embedd))
        let back = try await fleet.request(.gateway, .POST, "/v1/embed", body: body)
        #expect(back.status == .ok)
        #expect(back.body == ok.body)
        _ = fleet.stop()
    }
}
