import Foundation
import Glibc
import Testing
@testable import LakehouseKit

/// RFC 9112 behaviour of the server over real loopback sockets.
@Suite(.serialized) struct HTTPServerConformanceTests {
    @Test func keepAliveReusesOneConnection() async throws {
        let test = try TestServer.start()
        let connection = try RawConnection(port: test.port)
        for _ in 0..<5 {
            await connection.sendOffPool("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try #require(await connection.readResponseOffPool())
            #expect(response.status == 200)
            #expect(response.body == "hello")
            #expect(response.header("connection") == nil)
        }
        #expect(test.server.connectionCount == 1)
        await test.stop()
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let test = try TestServer.start()
        let connection = try RawConnection(port: test.port)
        // The first is slow and the second instant: order must still be first, second.
        await connection.sendOffPool("GET /slow/80 HTTP/1.1\r\nHost: t\r\n\r\nGET /items/2 HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(await connection.readResponseOffPool()?.body == "slept 80")
        #expect(await connection.readResponseOffPool()?.body == "item 2")
        #expect(await connection.readResponseOffPool()?.body == "hello")
        await test.stop()
    }

    @Test func chunkedRequestBodyIsDecoded() async throws {
        let test = try TestServer.start()
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n")
        let response = try #require(await connection.readResponseOffPool())
        #expect(response.status == 200)
        #expect(response.body == "Wikipedia")
        await test.stop()
    }

    @Test func expectContinueGetsInterimResponseBeforeBody() async throws {
        let test = try TestServer.start()
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        let interim = try #require(await connection.readResponseOffPool(bodyExpected: false))
        #expect(interim.status == 100)
        await connection.sendOffPool("hello")
        let final = try #require(await connection.readResponseOffPool())
        #expect(final.status == 200)
        #expect(final.body == "hello")
        await test.stop()
    }

    @Test func expectContinueWithOversizeBodyIsRefusedWithout100() async throws {
        let test = try TestServer.start(maxBodyBytes: 1024)
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4096\r\n\r\n")
        let response = try #require(await connection.readResponseOffPool())
        #expect(response.status == 413)
        #expect(response.body.contains("payload_too_large"))
        await test.stop()
    }

    @Test func oversizeHeaderBlockGets431() async throws {
        let test = try TestServer.start()
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "b", count: 20_000) + "\r\n\r\n")
        let response = try #require(await connection.readResponseOffPool())
        #expect(response.status == 431)
        #expect(response.body.contains("\"code\":\"headers_too_large\""))
        #expect(await connection.isClosedByPeerOffPool())
        await test.stop()
    }

    @Test func oversizeBodyGets413() async throws {
        let test = try TestServer.start(maxBodyBytes: 1024)
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2048\r\n\r\n" + String(repeating: "x", count: 2048))
        let response = try #require(await connection.readResponseOffPool())
        #expect(response.status == 413)
        await test.stop()
    }

    @Test func malformedRequestLineGets400AndClose() async throws {
        let test = try TestServer.start()
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("THIS IS NOT HTTP\r\n\r\n")
        let response = try #require(await connection.readResponseOffPool())
        #expect(response.status == 400)
        #expect(response.header("connection") == "close")
        #expect(response.body.contains("\"error\""))
        #expect(await connection.isClosedByPeerOffPool())
        await test.stop()
    }

    @Test func headAnswersWithLengthButNoBody() async throws {
        let test = try TestServer.start()
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try #require(await connection.readResponseOffPool(bodyExpected: false))
        #expect(head.status == 200)
        #expect(head.header("content-length") == "5")
        // If HEAD had carried a body, this read would see "hello" as the next status line.
        let get = try #require(await connection.readResponseOffPool())
        #expect(get.body == "hello")
        await test.stop()
    }

    @Test func unknownRouteAndWrongMethodUseTheEnvelope() async throws {
        let test = try TestServer.start()
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("GET /nope HTTP/1.1\r\nHost: t\r\nX-Request-Id: req-42\r\n\r\n")
        let missing = try #require(await connection.readResponseOffPool())
        #expect(missing.status == 404)
        #expect(missing.body.contains("\"request_id\":\"req-42\""))
        #expect(missing.header("x-request-id") == "req-42")
        await connection.sendOffPool("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let wrong = try #require(await connection.readResponseOffPool())
        #expect(wrong.status == 405)
        #expect(wrong.header("allow")?.contains("GET") == true)
        await test.stop()
    }

    @Test func slowClientIsCutOffWhileOthersAreServed() async throws {
        let test = try TestServer.start(requestTimeoutMs: 600)
        let slow = try RawConnection(port: test.port, receiveTimeoutMs: 4_000)
        let started = Date()
        let trickle = Task.detached { @Sendable in
            // One byte every 100 ms: never completes a request within the 600 ms limit.
            for byte in Array("GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n".utf8) {
                slow.send([byte])
                try? await Task.sleep(nanoseconds: 100_000_000)
                if Date().timeIntervalSince(started) > 3 { break }
            }
        }
        // Meanwhile other clients get prompt answers.
        for _ in 0..<20 {
            let other = try RawConnection(port: test.port)
            let before = Date()
            await other.sendOffPool("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            let (answer, answered) = await other.readResponseOffPoolTimed()
            #expect(answer?.status == 200)
            #expect(answered.timeIntervalSince(before) < 0.5)
        }
        let (response, answered) = await slow.readResponseOffPoolTimed()
        #expect(response?.status == 408)
        #expect(await slow.isClosedByPeerOffPool())
        #expect(answered.timeIntervalSince(started) < 2.5)
        trickle.cancel()
        await test.stop()
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        let test = try TestServer.start(idleTimeoutMs: 300)
        let connection = try RawConnection(port: test.port, receiveTimeoutMs: 3_000)
        await connection.sendOffPool("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let (response, answered) = await connection.readResponseOffPoolTimed()
        #expect(response?.status == 200)
        let (closed, closedAt) = await connection.isClosedByPeerOffPoolTimed()
        #expect(closed)
        #expect(closedAt.timeIntervalSince(answered) < 2)
        await test.stop()
    }

    @Test func thousandConcurrentConnectionsAreServed() async throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 4096 {
            limit.rlim_cur = min(limit.rlim_max, 4096)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let test = try TestServer.start()
        var connections: [RawConnection] = []
        for _ in 0..<1000 { connections.append(try RawConnection(port: test.port, receiveTimeoutMs: 10_000)) }
        // All open at once, each with a request outstanding, before any answer is read.
        for (index, connection) in connections.enumerated() {
            await connection.sendOffPool("GET /items/\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
        }
        var served = 0
        for (index, connection) in connections.enumerated() {
            if await connection.readResponseOffPool()?.body == "item \(index)" { served += 1 }
        }
        #expect(served == 1000)
        #expect(test.server.connectionCount == 1000)
        connections.removeAll()
        await test.stop()
    }

    @Test func connectionCapRefusesWith503() async throws {
        let test = try TestServer.start(maxConnections: 2)
        let a = try RawConnection(port: test.port)
        let b = try RawConnection(port: test.port)
        await a.sendOffPool("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        await b.sendOffPool("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(await a.readResponseOffPool()?.status == 200)
        #expect(await b.readResponseOffPool()?.status == 200)
        let c = try RawConnection(port: test.port)
        #expect(await c.readResponseOffPool()?.status == 503)
        await test.stop()
    }

    @Test func shutdownLetsInFlightRequestFinish() async throws {
        let test = try TestServer.start()
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("GET /slow/300 HTTP/1.1\r\nHost: t\r\n\r\n")
        try await Task.sleep(nanoseconds: 50_000_000)
        async let stopped: Void = test.stop()
        let response = await connection.readResponseOffPool()
        await stopped
        #expect(response?.status == 200)
        #expect(response?.header("connection") == "close")
    }
}
