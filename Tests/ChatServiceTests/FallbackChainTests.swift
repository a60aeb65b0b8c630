import LakehouseKit
import Synchronization
import Testing
@testable import ChatService

/// A provider whose answers the test scripts, one failure or success per call.
final class ScriptedProvider: ChatProvider, @unchecked Sendable {
    let name: String
    let defaultModel: String
    private let script: Mutex<[ProviderFailure?]>
    let models = Mutex<[String]>([])

    init(_ name: String, _ script: [ProviderFailure?] = []) {
        self.name = name
        defaultModel = "\(name)-default"
        self.script = Mutex(script)
    }

    var calls: Int { models.withLock { $0.count } }

    private func nextFailure(_ model: String) -> ProviderFailure? {
        models.withLock { $0.append(model) }
        return script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    func complete(_ call: ChatCall, model: String) async throws(ProviderFailure) -> ChatCompletion {
        if let failure = nextFailure(model) { throw failure }
        return ChatCompletion(content: "from \(name)", usage: ChatUsage(promptTokens: 1, completionTokens: 2), finishReason: "stop")
    }

    func stream(_ call: ChatCall, model: String) async throws(ProviderFailure) -> any ChatEventStream {
        if let failure = nextFailure(model) {
            // A failure "after the head": the stream opens, its first read fails.
            return FailingEvents(failure)
        }
        return ListedEvents([.delta("from \(name)"), .done(usage: nil, finishReason: "stop")])
    }
}

final class FailingEvents: ChatEventStream {
    let failure: ProviderFailure
    init(_ failure: ProviderFailure) { self.failure = failure }
    func next() async throws(ProviderFailure) -> ChatStreamEvent? { throw failure }
    func cancel() {}
}

final class TestClock: @unchecked Sendable {
    let time = Mutex<Double>(1_000)
    func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
    var now: @Sendable () -> Double { { [self] in time.withLock { $0 } } }
}

@Suite struct FallbackChainTests {
    let clock = TestClock()

    private func chain(_ providers: [ScriptedProvider], order: [String]? = nil, retries: Int = 0, failures: Int = 3) -> FallbackChain {
        var health: [String: ProviderHealth] = [:]
        for provider in providers {
            health[provider.name] = ProviderHealth(policy: .init(failures: failures, windowSeconds: 60, cooldownSeconds: 30), now: clock.now)
        }
        return FallbackChain(providers: Dictionary(uniqueKeysWithValues: providers.map { ($0.name, $0 as any ChatProvider) }), health: health,
                             chain: order ?? providers.map(\.name), retries: retries, retryBackoffMs: 0, latency: [:],
                             logger: Logger(daemon: "test", level: .error))
    }

    private let call = ChatCall(provider: nil, model: nil, messages: [ChatMessage(role: "user", content: "x")], temperature: nil, maxTokens: nil,
                                json: false, stream: false, includeUsage: false)

    @Test func namedProviderStartsThereAndContinuesDownTheChain() throws {
        let chain = chain([ScriptedProvider("a"), ScriptedProvider("b"), ScriptedProvider("c")], order: ["a", "b"])
        var named = call
        #expect(try chain.order(for: named) { _ in nil } == ["a", "b"])
        named.provider = "b"
        #expect(try chain.order(for: named) { _ in nil } == ["b"])
        named.provider = "c"
        #expect(try chain.order(for: named) { _ in nil } == ["c", "a", "b"])
        named.provider = "zz"
        #expect(throws: ChatError.unknownProvider("zz", known: ChatConfig.knownNames)) { try chain.order(for: named) { _ in nil } }
        #expect(throws: ChatError.providerNotConfigured("zz", variable: "CHATD_ZZ_API_KEY")) { try chain.order(for: named) { _ in "CHATD_ZZ_API_KEY" } }
    }

    @Test func retriesThenFallsOverAndOnlyTheFirstGetsTheRequestedModel() async throws {
        let a = ScriptedProvider("a", [.status(500, retryAfterSeconds: nil, message: ""), .timedOut(milliseconds: 5)])
        let b = ScriptedProvider("b")
        let chain = chain([a, b], retries: 1)
        var modelled = call
        modelled.model = "special"
        let answer = try await chain.complete(modelled, order: ["a", "b"], requestID: "r")
        #expect(answer.provider == "b" && answer.completion.content == "from b")
        #expect(a.models.withLock { $0 } == ["special", "special"], "one retry on the same provider")
        #expect(b.models.withLock { $0 } == ["b-default"])
        #expect(chain.health["a"]!.snapshot.fallbacks == 1)
        #expect(chain.health["b"]!.snapshot.completionTokens == 2)
    }

    @Test func rateLimitIsNotRetriedAndARefusalIsNotFallenOver() async throws {
        let a = ScriptedProvider("a", [.status(429, retryAfterSeconds: 5, message: "slow down"), .status(404, retryAfterSeconds: nil, message: "no such model")])
        let b = ScriptedProvider("b")
        let chain = chain([a, b], retries: 3)
        #expect(try await chain.complete(call, order: ["a", "b"], requestID: "r").provider == "b")
        #expect(a.calls == 1)
        #expect(chain.health["a"]!.cooldownRemaining() == 5)
        clock.advance(6)
        await #expect(throws: ChatError.providerRejected(provider: "a", status: 404, message: "no such model")) {
            try await chain.complete(call, order: ["a", "b"], requestID: "r")
        }
        #expect(b.calls == 1)
    }

    @Test func cooldownAfterRepeatedFailuresSkipsAndExpires() async throws {
        let failure = ProviderFailure.unreachable("refused")
        let a = ScriptedProvider("a", [failure, failure])
        let b = ScriptedProvider("b")
        let chain = chain([a, b], failures: 2)
        _ = try await chain.complete(call, order: ["a", "b"], requestID: "r")
        #expect(chain.health["a"]!.cooldownRemaining() == nil)
        _ = try await chain.complete(call, order: ["a", "b"], requestID: "r")
        #expect(chain.health["a"]!.cooldownRemaining() == 30)
        _ = try await chain.complete(call, order: ["a", "b"], requestID: "r")
        #expect(a.calls == 2, "skipped while cooling down")
        // Everything cooling down: 503 with the time left.
        await #expect(throws: ChatError.allProvidersFailed(["a: cooling down for 30 s"], retryAfterSeconds: 30)) {
            try await chain.complete(call, order: ["a"], requestID: "r")
        }
        clock.advance(31)
        #expect(try await chain.complete(call, order: ["a", "b"], requestID: "r").provider == "a")
        #expect(chain.health["a"]!.snapshot.recentErrors.count == 2)
    }

    @Test func aStreamFallsOverUntilItsFirstEvent() async throws {
        let a = ScriptedProvider("a", [.brokeOff("reset")])
        let b = ScriptedProvider("b")
        let chain = chain([a, b])
        var streamed = call
        streamed.stream = true
        let opened = try await chain.openStream(streamed, order: ["a", "b"], requestID: "r")
        #expect(opened.provider == "b")
        #expect(opened.first == .delta("from b"))
        #expect(try await opened.rest.next() == .done(usage: nil, finishReason: "stop"))
    }

    @Test func failuresOutsideTheWindowDoNotAddUp() {
        let health = ProviderHealth(policy: .init(failures: 2, windowSeconds: 10, cooldownSeconds: 5), now: clock.now)
        health.recordFailure(.timedOut(milliseconds: 1))
        clock.advance(11)
        health.recordFailure(.timedOut(milliseconds: 1))
        #expect(health.cooldownRemaining() == nil)
        health.recordFailure(.timedOut(milliseconds: 1))
        #expect(health.cooldownRemaining() == 5)
        health.recordFailure(.status(400, retryAfterSeconds: nil, message: ""))
        #expect(health.snapshot.failureKinds == ["timeout": 3, "rejected": 1])
    }
}
