import Foundation
import Glibc
import LakehouseKit
import Testing

/// chatd as a real process against fake providers that speak the real wire protocols.
@Suite(.serialized) struct ChatFleetTests {
    static let remotes = ["ollama", "ollama_cloud", "openrouter", "kimi", "opencode"]

    /// Where each provider's base URL points on a fake: OpenRouter's API lives under `/api`, OpenCode Zen under `/zen`.
    static func baseURL(_ provider: String, _ fake: FakeChatProvider) -> String {
        switch provider {
        case "openrouter": fake.baseURL + "/api"
        case "opencode": fake.baseURL + "/zen"
        default: fake.baseURL
        }
    }

    static func key(_ provider: String) -> String { "sk-\(provider)-SECRET-7f3a9c" }

    /// chatd's environment for `fakes` (provider → fake), each with its test key.
    static func environment(_ fakes: [String: FakeChatProvider], fallback: String, extra: [String: String] = [:]) -> [String: String] {
        var environment = ["CHATD_FALLBACK": fallback, "CHATD_RETRY_BACKOFF_MS": "0"]
        for (provider, fake) in fakes {
            let upper = provider.uppercased()
            environment["CHATD_\(upper)_BASE_URL"] = baseURL(provider, fake)
            environment["CHATD_\(upper)_API_KEY"] = key(provider)
            environment["CHATD_\(upper)_MODEL"] = "model-of-\(provider)"
        }
        return environment.merging(extra) { $1 }
    }

    static func chatBody(_ provider: String?, stream: Bool = false, json: Bool = false, openAI: Bool = false) -> String {
        var fields = [#""messages":[{"role":"system","content":"be brief"},{"role":"user","content":"say hello"}]"#]
        if let provider { fields.append(#""provider":"\#(provider)""#) }
        if stream { fields.append(#""stream":true"#) }
        if stream && openAI { fields.append(#""stream_options":{"include_usage":true}"#) }
        if json { fields.append(openAI ? #""response_format":{"type":"json_object"}"# : #""json":true"#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// The `data:` payloads of a server-sent-events body, in order.
    static func events(_ text: String) -> [String] {
        text.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
    }

    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The text and usage chunk of an OpenAI stream.
    static func streamed(_ text: String) -> (content: String, usage: [String: Any]?, done: Bool, error: [String: Any]?) {
        var content = ""
        var usage: [String: Any]?
        var done = false
        var error: [String: Any]?
        for event in events(text) {
            if event == "[DONE]" { done = true; continue }
            let chunk = object(event)
            if let failure = chunk["error"] as? [String: Any] { error = failure }
            if let found = chunk["usage"] as? [String: Any] { usage = found }
            for choice in chunk["choices"] as? [[String: Any]] ?? [] {
                content += ((choice["delta"] as? [String: Any])?["content"] as? String) ?? ""
            }
        }
        return (content, usage, done, error)
    }

    @Test func eachRemoteProviderEndToEndPlainStreamedAndJSON() async throws {
        var fakes: [String: FakeChatProvider] = [:]
        for provider in ChatFleetTests.remotes {
            fakes[provider] = try FakeChatProvider(name: provider, expectedKey: ChatFleetTests.key(provider))
        }
        let fleet = try Fleet(extraEnvironment: ChatFleetTests.environment(fakes, fallback: "local"))
        defer { fleet.removeData() }
        try fleet.start([.chatd])
        #expect(await fleet.waitUntilReady(.chatd))

        for provider in ChatFleetTests.remotes {
            let fake = fakes[provider]!
            let ollama = provider.hasPrefix("ollama")
            let usage = ollama ? FakeChatProvider.ollamaUsage : FakeChatProvider.openAIUsage

            // Plain, SPEC shape.
            let plain = try await fleet.request(.chatd, .POST, "/v1/chat", body: ChatFleetTests.chatBody(provider))
            #expect(plain.status == .ok, "\(provider): \(plain.text)")
            let json = try #require(plain.json)
            #expect(json["provider"] as? String == provider)
            #expect(json["model"] as? String == "model-of-\(provider)")
            #expect((json["message"] as? [String: Any])?["content"] as? String == FakeChatProvider.answer)
            let reported = json["usage"] as? [String: Any]
            #expect(reported?["prompt_tokens"] as? Int == usage.prompt && reported?["completion_tokens"] as? Int == usage.completion, "\(provider): \(plain.text)")
            #expect(json["latency_ms"] is Double)

            // What the provider received: the real path, headers and body shape.
            let seen = try #require(fake.requests.last)
            let expectedPath = ollama ? "/api/chat" : (provider == "openrouter" ? "/api/v1/chat/completions" : (provider == "opencode" ? "/zen/v1/chat/completions" : "/v1/chat/completions"))
            #expect(seen.path == expectedPath)
            #expect(seen.headers["Authorization"] == "Bearer \(ChatFleetTests.key(provider))")
            #expect(seen.headers["Content-Type"] == "application/json")
            #expect(seen.body["model"] as? String == "model-of-\(provider)")
            #expect((seen.body["messages"] as? [[String: Any]])?.map { $0["role"] as? String ?? "" } == ["system", "user"])
            #expect(seen.body["stream"] as? Bool == false)
            if provider == "openrouter" {
                #expect(seen.headers["HTTP-Referer"]?.hasPrefix("https://") == true)
                #expect(seen.headers["X-Title"] == "Lakehouse")
            } else {
                #expect(seen.headers["X-Title"] == nil)
            }

            // Streamed, OpenAI shape with usage.
            let streamed = try await fleet.request(.chatd, .POST, "/v1/chat/completions", body: ChatFleetTests.chatBody(provider, stream: true, openAI: true))
            #expect(streamed.status == .ok)
            #expect(streamed.headers["Content-Type"] == "text/event-stream")
            let parsed = ChatFleetTests.streamed(streamed.text)
            #expect(parsed.content == FakeChatProvider.answer, "\(provider): \(streamed.text)")
            #expect(parsed.done && parsed.error == nil)
            #expect(parsed.usage?["prompt_tokens"] as? Int == usage.prompt && parsed.usage?["completion_tokens"] as? Int == usage.completion)
            #expect(parsed.usage?["total_tokens"] as? Int == usage.prompt + usage.completion)
            let streamRequest = try #require(fake.requests.last)
            #expect(streamRequest.stream)
            if !ollama { #expect((streamRequest.body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true) }

            // Streamed, SPEC shape.
            let native = try await fleet.request(.chatd, .POST, "/v1/chat", body: ChatFleetTests.chatBody(provider, stream: true))
            let nativeEvents = ChatFleetTests.events(native.text)
            #expect(nativeEvents.compactMap { ChatFleetTests.object($0)["delta"] as? String }.joined() == FakeChatProvider.answer)
            let closing = nativeEvents.map(ChatFleetTests.object).first { $0["done"] as? Bool == true }
            #expect((closing?["usage"] as? [String: Any])?["completion_tokens"] as? Int == usage.completion)
            #expect(nativeEvents.last == "[DONE]")

            // JSON mode is passed on in the provider's own terms.
            let jsonMode = try await fleet.request(.chatd, .POST, "/v1/chat/completions", body: ChatFleetTests.chatBody(provider, json: true, openAI: true))
            let choice = (jsonMode.json?["choices"] as? [[String: Any]])?.first
            #expect((choice?["message"] as? [String: Any])?["content"] as? String == FakeChatProvider.jsonAnswer)
            let jsonRequest = try #require(fake.requests.last)
            if ollama {
                #expect(jsonRequest.body["format"] as? String == "json")
            } else {
                #expect((jsonRequest.body["response_format"] as? [String: Any])?["type"] as? String == "json_object")
            }
        }

        let metrics = try await fleet.request(.chatd, .GET, "/metrics").text
        #expect(metrics.contains(#"chatd_provider_successes_total{provider="kimi"} 4"#), "\(metrics.split(separator: "\n").filter { $0.contains("kimi") })")
        #expect(metrics.contains(#"chatd_tokens_total{provider="ollama",kind="completion"} 20"#))
        #expect(metrics.contains(#"chatd_provider_latency_seconds_count{provider="openrouter"} 4"#))
        _ = fleet.stop()
        for fake in fakes.values { await fake.stop() }
    }

    @Test func fallsOverOnRefusedTimeout500And429AndBeforeTheFirstStreamedChunk() async throws {
        let primary = try FakeChatProvider(name: "openrouter", expectedKey: ChatFleetTests.key("openrouter"))
        let backup = try FakeChatProvider(name: "ollama", expectedKey: ChatFleetTests.key("ollama"))
        let extra = ["CHATD_RETRIES": "0", "CHATD_COOLDOWN_FAILURES": "1000", "CHATD_OPENROUTER_TIMEOUT_MS": "400"]
        let fleet = try Fleet(extraEnvironment: ChatFleetTests.environment(["openrouter": primary, "ollama": backup], fallback: "openrouter,ollama,local", extra: extra))
        defer { fleet.removeData() }
        try fleet.start([.chatd])
        #expect(await fleet.waitUntilReady(.chatd))

        func answeredBy(stream: Bool = false) async throws -> String? {
            let response = try await fleet.request(.chatd, .POST, "/v1/chat/completions", body: ChatFleetTests.chatBody(nil, stream: stream, openAI: true))
            #expect(response.status == .ok, "\(response.text)")
            if stream {
                let parsed = ChatFleetTests.streamed(response.text)
                #expect(parsed.content == FakeChatProvider.answer && parsed.done, "\(response.text)")
                return ChatFleetTests.object(ChatFleetTests.events(response.text).first ?? "")["provider"] as? String
            }
            return response.json?["provider"] as? String
        }

        #expect(try await answeredBy() == "openrouter")
        for failure in [FakeChatProvider.Behaviour.status(500, retryAfter: nil), .status(503, retryAfter: nil), .status(429, retryAfter: nil)] {
            primary.set(failure)
            let before = primary.callCount
            #expect(try await answeredBy() == "ollama", "\(failure)")
            #expect(try await answeredBy(stream: true) == "ollama", "\(failure) streamed")
            #expect(primary.callCount > before, "the primary was tried first")
        }
        primary.set(.normal)

        // Timeout.
        primary.setDelay(milliseconds: 1_500)
        #expect(try await answeredBy() == "ollama")
        primary.setDelay(milliseconds: 0)

        // A stream that fails after its head but before its first chunk falls over too.
        primary.set(.dropBeforeFirstChunk)
        #expect(try await answeredBy(stream: true) == "ollama")
        primary.set(.normal)

        // Connection refused.
        await primary.stop()
        #expect(try await answeredBy() == "ollama")
        #expect(try await answeredBy(stream: true) == "ollama")

        // A 4xx that is the request's fault is not retried elsewhere.
        backup.set(.status(400, retryAfter: nil))
        let rejected = try await fleet.request(.chatd, .POST, "/v1/chat", body: ChatFleetTests.chatBody("ollama"))
        #expect(rejected.status == .badGateway, "\(rejected.text)")
        #expect(rejected.text.contains("ollama"))

        // Everything down: 503 naming each provider's failure.
        let providers = try #require(try await fleet.request(.chatd, .GET, "/v1/providers").json?["providers"] as? [[String: Any]])
        let openrouter = try #require(providers.first { $0["name"] as? String == "openrouter" })
        #expect((openrouter["recent_errors"] as? [[String: Any]])?.isEmpty == false)
        #expect((openrouter["fallbacks"] as? Int ?? 0) >= 9)
        let metrics = try await fleet.request(.chatd, .GET, "/metrics").text
        let openrouterErrors = metrics.split(separator: "\n").filter { $0.hasPrefix(#"chatd_provider_errors_total{provider="openrouter""#) }
        #expect(openrouterErrors.contains(#"chatd_provider_errors_total{provider="openrouter",kind="rate_limited"} 2"#), "\(openrouterErrors)")
        #expect(openrouterErrors.contains(#"chatd_provider_errors_total{provider="openrouter",kind="timeout"} 1"#), "\(openrouterErrors)")
        _ = fleet.stop()
        await backup.stop()
    }

    @Test func midStreamFailureEndsWithAnErrorEventNeverATruncation() async throws {
        let primary = try FakeChatProvider(name: "kimi", expectedKey: ChatFleetTests.key("kimi"))
        let backup = try FakeChatProvider(name: "opencode", expectedKey: ChatFleetTests.key("opencode"))
        let extra = ["CHATD_RETRIES": "0", "CHATD_COOLDOWN_FAILURES": "100"]
        let fleet = try Fleet(extraEnvironment: ChatFleetTests.environment(["kimi": primary, "opencode": backup], fallback: "kimi,opencode", extra: extra))
        defer { fleet.removeData() }
        try fleet.start([.chatd])
        #expect(await fleet.waitUntilReady(.chatd))

        // Mid-stream: the pieces already sent, then an error event, and no [DONE].
        primary.set(.breakMidStream)
        let broken = try await fleet.request(.chatd, .POST, "/v1/chat/completions", body: ChatFleetTests.chatBody(nil, stream: true, openAI: true))
        #expect(broken.status == .ok)
        let parsed = ChatFleetTests.streamed(broken.text)
        #expect(parsed.content == FakeChatProvider.pieces.prefix(2).joined(), "\(broken.text)")
        #expect(parsed.error?["code"] as? String == "stream_interrupted")
        #expect(!parsed.done)
        #expect(backup.callCount == 0, "a stream that has begun never falls over")
        let nativeBroken = try await fleet.request(.chatd, .POST, "/v1/chat", body: ChatFleetTests.chatBody(nil, stream: true))
        #expect(ChatFleetTests.events(nativeBroken.text).last.map { ChatFleetTests.object($0)["error"] != nil } == true)
        let metrics = try await fleet.request(.chatd, .GET, "/metrics").text
        #expect(metrics.contains("chatd_stream_errors_total 2"))
        _ = fleet.stop()
        await primary.stop()
        await backup.stop()
    }

    @Test func retryAfterAndRepeatedFailuresStartCooldownsThatEnd() async throws {
        let primary = try FakeChatProvider(name: "kimi", expectedKey: ChatFleetTests.key("kimi"))
        let backup = try FakeChatProvider(name: "opencode", expectedKey: ChatFleetTests.key("opencode"))
        // Cooldowns of a few seconds, so a slow shared machine cannot outlast them mid-test.
        let extra = ["CHATD_RETRIES": "0", "CHATD_COOLDOWN_FAILURES": "2", "CHATD_COOLDOWN_S": "3", "CHATD_COOLDOWN_WINDOW_S": "60"]
        let fleet = try Fleet(extraEnvironment: ChatFleetTests.environment(["kimi": primary, "opencode": backup], fallback: "kimi,opencode", extra: extra))
        defer { fleet.removeData() }
        try fleet.start([.chatd])
        #expect(await fleet.waitUntilReady(.chatd))

        // 429 with Retry-After: 4 → skipped without being called until it passes, then back.
        primary.set(.status(429, retryAfter: 4))
        let first = try await fleet.request(.chatd, .POST, "/v1/chat", body: ChatFleetTests.chatBody(nil))
        #expect(first.json?["provider"] as? String == "opencode")
        primary.set(.normal)
        let calls = primary.callCount
        let during = try await fleet.request(.chatd, .POST, "/v1/chat", body: ChatFleetTests.chatBody(nil))
        #expect(during.json?["provider"] as? String == "opencode")
        #expect(primary.callCount == calls, "a provider cooling down is not called")
        let view = try #require((try await fleet.request(.chatd, .GET, "/v1/providers").json?["providers"] as? [[String: Any]])?.first { $0["name"] as? String == "kimi" })
        #expect(view["cooling_down"] as? Bool == true)
        #expect((view["cooldown_remaining_s"] as? Double ?? 0) > 1)
        let metrics = try await fleet.request(.chatd, .GET, "/metrics").text
        #expect(metrics.contains(#"chatd_provider_cooling_down{provider="kimi"} 1"#))

        // Failures in a window: both providers cooling → 503 with Retry-After.
        backup.set(.status(500, retryAfter: nil))
        _ = try await fleet.request(.chatd, .POST, "/v1/chat", body: ChatFleetTests.chatBody(nil))
        _ = try await fleet.request(.chatd, .POST, "/v1/chat", body: ChatFleetTests.chatBody(nil))
        let calledBackup = backup.callCount
        let allCooling = try await fleet.request(.chatd, .POST, "/v1/chat", body: ChatFleetTests.chatBody(nil))
        #expect(allCooling.status == .serviceUnavailable, "\(allCooling.text)")
        #expect(allCooling.headers["Retry-After"] != nil)
        #expect(allCooling.text.contains("cooling down"))
        #expect(backup.callCount == calledBackup)

        // Both come back by themselves.
        backup.set(.normal)
        try await Task.sleep(nanoseconds: 4_200_000_000)
        let back = try await fleet.request(.chatd, .POST, "/v1/chat", body: ChatFleetTests.chatBody(nil))
        #expect(back.json?["provider"] as? String == "kimi", "\(back.text)")
        _ = fleet.stop()
        await primary.stop()
        await backup.stop()
    }

    @Test func badInputGets4xxWithTheEnvelope() async throws {
        let fleet = try Fleet(extraEnvironment: ["LAKEHOUSE_MAX_BODY": "65536", "CHATD_MAX_MESSAGES": "4"])
        defer { fleet.removeData() }
        try fleet.start([.chatd])
        #expect(await fleet.waitUntilReady(.chatd))
        let message = #"[{"role":"user","content":"hi"}]"#
        let cases: [(String, String, Int, String)] = [
            ("/v1/chat", "not json", 400, "JSON"),
            ("/v1/chat", "[1,2]", 400, "object"),
            ("/v1/chat", #"{}"#, 400, "messages"),
            ("/v1/chat", #"{"messages":[]}"#, 400, "messages"),
            ("/v1/chat", #"{"messages":"hi"}"#, 400, "messages"),
            ("/v1/chat", #"{"messages":[{"role":"robot","content":"hi"}]}"#, 400, "role"),
            ("/v1/chat", #"{"messages":[{"content":"hi"}]}"#, 400, "role"),
            ("/v1/chat", #"{"messages":[{"role":"user","content":42}]}"#, 400, "content"),
            ("/v1/chat", #"{"messages":[{"role":"user","content":{"text":"hi"}}]}"#, 400, "content"),
            ("/v1/chat", #"{"messages":[{"role":"user"}]}"#, 400, "content"),
            ("/v1/chat", #"{"messages":\#(message),"temperature":2.5}"#, 400, "temperature"),
            ("/v1/chat", #"{"messages":\#(message),"temperature":"hot"}"#, 400, "temperature"),
            ("/v1/chat", #"{"messages":\#(message),"max_tokens":0}"#, 400, "max_tokens"),
            ("/v1/chat", #"{"messages":\#(message),"max_tokens":1.5}"#, 400, "max_tokens"),
            ("/v1/chat", #"{"messages":\#(message),"max_tokens":999999999}"#, 400, "max_tokens"),
            ("/v1/chat", #"{"messages":\#(message),"json":"yes"}"#, 400, "json"),
            ("/v1/chat", #"{"messages":\#(message),"stream":1}"#, 400, "stream"),
            ("/v1/chat", #"{"messages":\#(message),"colour":"blue"}"#, 400, "colour"),
            ("/v1/chat", #"{"messages":\#(message),"provider":"gpt5"}"#, 404, "known: ollama, ollama_cloud, openrouter, kimi, opencode, local"),
            ("/v1/chat", #"{"messages":\#(message),"provider":"openrouter"}"#, 400, "CHATD_OPENROUTER_API_KEY"),
            ("/v1/chat", #"{"messages":[{"role":"user","content":"1"},{"role":"user","content":"2"},{"role":"user","content":"3"},{"role":"user","content":"4"},{"role":"user","content":"5"}]}"#, 400, "at most 4"),
            ("/v1/chat/completions", #"{"messages":[{"role":"tool","content":"x"}]}"#, 400, "role"),
            ("/v1/chat/completions", #"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}"#, 400, "text parts"),
            ("/v1/chat/completions", #"{"messages":\#(message),"response_format":{"type":"yaml"}}"#, 400, "response_format"),
            ("/v1/chat/completions", #"{"messages":\#(message),"temperature":-1}"#, 400, "temperature"),
            ("/v1/chat/completions", #"{"messages":\#(message),"n":3}"#, 400, "'n'"),
            ("/v1/chat/completions", #"{"messages":\#(message),"model":"nope","provider":"nope"}"#, 404, "unknown provider"),
            ("/v1/chat", "{\"messages\":[{\"role\":\"user\",\"content\":\"" + String(repeating: "x", count: 70_000) + "\"}]}", 413, "exceeds"),
        ]
        for (path, body, status, mention) in cases {
            let response = try await fleet.request(.chatd, .POST, path, body: body)
            #expect(response.status.code == status, "\(path) \(body.prefix(80)) → \(response.status.code) \(response.text.prefix(200))")
            let error = response.json?["error"] as? [String: Any]
            #expect(error?["code"] is String && error?["request_id"] is String, "\(response.text.prefix(200))")
            #expect((error?["message"] as? String)?.contains(mention) == true, "\(body.prefix(60)): \(response.text.prefix(200))")
        }
        #expect(try await fleet.request(.chatd, .GET, "/v1/chat").status == .methodNotAllowed)
        // Unharmed, and extra OpenAI fields are accepted on the compatible route.
        let fine = try await fleet.request(.chatd, .POST, "/v1/chat/completions",
                                          body: #"{"model":"local","messages":\#(message),"top_p":0.9,"user":"u1","seed":3,"max_completion_tokens":64}"#)
        #expect(fine.status == .ok)
        #expect(fine.json?["object"] as? String == "chat.completion")
        _ = fleet.stop()
    }

    @Test func configuredKeysNeverAppearInLogsResponsesProvidersOrMetrics() async throws {
        let fake = try FakeChatProvider(name: "openrouter")
        fake.set(.echoKey)
        let backup = try FakeChatProvider(name: "kimi")
        backup.set(.status(500, retryAfter: nil))
        let fleet = try Fleet(extraEnvironment: ChatFleetTests.environment(["openrouter": fake, "kimi": backup], fallback: "openrouter,kimi",
                                                                           extra: ["LAKEHOUSE_LOG_LEVEL": "debug", "CHATD_RETRIES": "1"]))
        defer { fleet.removeData() }
        try fleet.start([.chatd])
        #expect(await fleet.waitUntilReady(.chatd))
        var seen = ""
        for body in [ChatFleetTests.chatBody("openrouter"), ChatFleetTests.chatBody("kimi"), ChatFleetTests.chatBody(nil, stream: true, openAI: true)] {
            for path in ["/v1/chat", "/v1/chat/completions"] {
                let response = try await fleet.request(.chatd, .POST, path, body: body)
                #expect(response.status.code >= 400)
                seen += response.text + response.headers.map { "\($0.0): \($0.1)" }.joined()
            }
        }
        // The key reached the provider (the fake echoed it back)…
        #expect(fake.requests.contains { $0.headers["Authorization"] == "Bearer \(ChatFleetTests.key("openrouter"))" })
        #expect(seen.contains("[redacted]"))
        seen += try await fleet.request(.chatd, .GET, "/v1/providers").text
        seen += try await fleet.request(.chatd, .GET, "/metrics").text
        _ = fleet.stop()
        seen += fleet.process(.chatd).log
        for provider in ["openrouter", "kimi"] {
            #expect(!seen.contains(ChatFleetTests.key(provider)), "\(provider)'s key leaked")
            #expect(!seen.contains("SECRET-7f3a9c"))
        }
        #expect(seen.contains("has_key"))
        await fake.stop()
        await backup.stop()
    }

    @Test func gatewayRelaysAStreamUnbufferedAndPlainAnswersUnchanged() async throws {
        let fake = try FakeChatProvider(name: "ollama")
        fake.holdStreamsAfterFirstPiece()
        let fleet = try Fleet(extraEnvironment: ChatFleetTests.environment(["ollama": fake], fallback: "ollama,local"))
        defer { fleet.removeData() }
        try fleet.start([.chatd, .gateway])
        #expect(await fleet.waitUntilReady(.chatd))
        #expect(await fleet.waitUntilReady(.gateway))

        // The provider holds its stream after the first piece until the test opens the gate: if
        // anything on the way buffered, that first piece could not arrive before the gate opens.
        var request = HTTPClientRequest(method: .POST, target: "/v1/chat/completions", headers: ["Content-Type": "application/json"],
                                        body: Array(ChatFleetTests.chatBody(nil, stream: true, openAI: true).utf8))
        request.streamResponse = true
        let response = try await fleet.client.send(request, to: try SocketAddress(parsing: "127.0.0.1:\(fleet.ports[.gateway]!)"), timeoutMs: 5_000)
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "text/event-stream")
        let body = try #require(response.bodyStream)
        var received = ""
        var iterator = body.makeAsyncIterator()
        while !received.contains(FakeChatProvider.pieces[0]) {
            guard let piece = try await iterator.next() else { break }
            received += String(decoding: piece, as: UTF8.self)
        }
        #expect(received.contains(FakeChatProvider.pieces[0]))
        #expect(!received.contains(FakeChatProvider.pieces[1]), "the rest cannot have been produced yet")
        fake.openGate()
        while let piece = try await iterator.next() { received += String(decoding: piece, as: UTF8.self) }
        let parsed = ChatFleetTests.streamed(received)
        #expect(parsed.content == FakeChatProvider.answer && parsed.done && parsed.usage != nil)

        // Non-streamed answers keep the plain path, byte for byte what chatd says.
        let plain = try await fleet.request(.gateway, .POST, "/v1/chat", body: ChatFleetTests.chatBody("local"))
        #expect(plain.status == .ok)
        #expect(plain.headers["Content-Length"] != nil)
        #expect(plain.json?["provider"] as? String == "local")
        let providers = try await fleet.request(.gateway, .GET, "/v1/providers")
        #expect(providers.json?["fallback"] as? [String] == ["ollama", "local"])

        // chatd down: 503 from the gateway.
        _ = fleet.process(.chatd).terminate()
        let down = try await fleet.request(.gateway, .POST, "/v1/chat/completions", body: ChatFleetTests.chatBody(nil, stream: true, openAI: true))
        #expect(down.status == .serviceUnavailable)
        _ = fleet.stop()
        await fake.stop()
    }

    @Test func unchangedOpenAIClientThroughTheGateway() async throws {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.chatd, .gateway])
        #expect(await fleet.waitUntilReady(.chatd))
        #expect(await fleet.waitUntilReady(.gateway))
        let result = try PythonScript.run("chat_openai_client.py", ["http://127.0.0.1:\(fleet.ports[.gateway]!)/v1"])
        let text = result.output + result.errors
        #expect(result.status == 0, "\(text)")
        #expect(text.contains("plain ok") && text.contains("stream ok") && text.contains("json ok"), "\(text)")
        _ = fleet.stop()
    }
}
