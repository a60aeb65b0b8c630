import Foundation
import Testing
@testable import LakehouseKit

@Suite(.serialized) struct HTTPClientTests {
    // Generous: these tests are about pooling and errors, not latency, and share two cores with
    // CPU-heavy suites. The timeout test sets its own 200 ms.
    let client = HTTPClient(configuration: .init(connectTimeoutMs: 5_000, requestTimeoutMs: 60_000))

    private func get(_ port: Int, _ target: String, timeoutMs: Int? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        try await client.send(HTTPClientRequest(method: .GET, target: target), to: try! SocketAddress(parsing: "127.0.0.1:\(port)"), timeoutMs: timeoutMs)
    }

    @Test func sequentialRequestsReusePooledConnections() async throws {
        let test = try TestServer.start()
        for index in 0..<50 {
            let response = try await get(test.port, "/items/\(index)")
            #expect(response.status == .ok)
            #expect(String(decoding: response.body, as: UTF8.self) == "item \(index)")
        }
        // One pool per event loop: at most one connection each for sequential calls.
        #expect(test.server.connectionCount <= client.group.loops.count)
        await test.stop()
    }

    @Test func concurrentRequestsAllSucceedWithinThePoolLimit() async throws {
        let test = try TestServer.start()
        let port = test.port
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<200 {
                group.addTask { String(decoding: try await get(port, "/items/\(index)").body, as: UTF8.self) }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(bodies.count == 200)
        #expect(test.server.connectionCount <= client.configuration.maxConnectionsPerPeer)
        await test.stop()
    }

    @Test func postBodyRoundTrips() async throws {
        let test = try TestServer.start()
        let payload = Array(repeating: UInt8(ascii: "z"), count: 300_000)
        let response = try await client.send(HTTPClientRequest(method: .POST, target: "/echo", body: payload), to: try SocketAddress(parsing: "127.0.0.1:\(test.port)"))
        #expect(response.body == payload)
        await test.stop()
    }

    @Test func peerDownIsATypedError() async throws {
        let test = try TestServer.start()
        let port = test.port
        await test.stop()
        do {
            _ = try await get(port, "/hello")
            Issue.record("expected a failure")
        } catch {
            #expect(error.isPeerDown, "\(error)")
        }
    }

    @Test func slowPeerTimesOut() async throws {
        let test = try TestServer.start()
        let started = Date()
        do {
            _ = try await get(test.port, "/slow/30000", timeoutMs: 200)
            Issue.record("expected a timeout")
        } catch {
            #expect(error == .timeout(peer: "127.0.0.1:\(test.port)", milliseconds: 200))
        }
        // Measured on the test task, which can wait seconds to be resumed while the run's other
        // jobs hold the executor: the bound only shows the client did not wait for the peer's 30 s.
        #expect(Date().timeIntervalSince(started) < 15)
        await test.stop()
    }

    @Test func recoversWhenPeerRestartsOnSamePort() async throws {
        let first = try TestServer.start()
        let port = first.port
        #expect(try await get(port, "/hello").status == .ok)
        await first.stop()
        // Same port, new server: the pool must drop its dead connections and connect afresh.
        var router = Router()
        router.inline(.GET, "/hello") { _ in .text("again") }
        let second = HTTPServer(configuration: .init(address: try SocketAddress(parsing: "127.0.0.1:\(port)")),
                                dispatcher: RequestDispatcher(router: router, metrics: MetricsRegistry(), logger: Logger(daemon: "t", level: .error)))
        try second.start()
        try await Task.sleep(nanoseconds: 50_000_000)
        let response = try await get(port, "/hello")
        #expect(String(decoding: response.body, as: UTF8.self) == "again")
        await second.shutdown(timeoutMs: 500)
    }

    @Test func decodesChunkedAndUntilCloseResponses() async throws {
        let server = try ScriptedServer(replies: [
            .bytesThenClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"),
            .bytesThenClose("HTTP/1.1 202 Accepted\r\nConnection: close\r\n\r\nuntil-close body"),
        ])
        let chunked = try await get(server.port, "/a")
        #expect(String(decoding: chunked.body, as: UTF8.self) == "abcde")
        let untilClose = try await get(server.port, "/b")
        #expect(untilClose.status == .accepted)
        #expect(String(decoding: untilClose.body, as: UTF8.self) == "until-close body")
        server.stop()
    }

    @Test func truncatedResponseIsConnectionClosed() async throws {
        let server = try ScriptedServer(replies: [.bytesThenClose("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")])
        let request = HTTPClientRequest(method: .POST, target: "/x", body: Array("{}".utf8))
        let peer = try SocketAddress(parsing: "127.0.0.1:\(server.port)")
        do {
            _ = try await client.send(request, to: peer)
            Issue.record("expected a failure")
        } catch {
            #expect(error == .connectionClosed(peer: "127.0.0.1:\(server.port)"))
        }
        server.stop()
    }

    @Test func idempotentRequestIsRetriedOnceOnAFreshConnection() async throws {
        let server = try ScriptedServer(replies: [.closeWithoutAnswer, .bytesThenClose("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")])
        let response = try await get(server.port, "/idempotent")
        #expect(String(decoding: response.body, as: UTF8.self) == "ok")
        #expect(server.acceptedConnections.load(ordering: .relaxed) == 2)
        server.stop()
    }

    @Test func nonIdempotentRequestIsNotRetried() async throws {
        let server = try ScriptedServer(replies: [.closeWithoutAnswer, .bytesThenClose("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")])
        let peer = try SocketAddress(parsing: "127.0.0.1:\(server.port)")
        do {
            _ = try await client.send(HTTPClientRequest(method: .POST, target: "/once", body: [1]), to: peer)
            Issue.record("a POST must not be retried")
        } catch {
            #expect(error.isPeerDown)
        }
        #expect(server.acceptedConnections.load(ordering: .relaxed) == 1)
        server.stop()
    }

    @Test func urlsAreSplitIntoPeerAndTarget() throws {
        let (peer, target) = try HTTPClient.split(url: "http://127.0.0.1:11434/api/embed?x=1")
        #expect(peer.port == 11434)
        #expect(target == "/api/embed?x=1")
        #expect(throws: HTTPClientError.self) { try HTTPClient.split(url: "https://api.openai.com/v1") }
    }
}
