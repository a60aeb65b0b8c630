import Foundation
import Testing
@testable import LakehouseKit

/// Streaming request bodies over real sockets: bodies beyond the ordinary limit, chunked framing,
/// back-pressure against a slow handler, and answers given before the body is read.
@Suite(.serialized) struct StreamingBodyTests {
    /// `/ingest` sums the bytes it reads, slowly when told to; `/reject` answers at once.
    private func startServer() throws -> TestServer {
        try TestServer.start(maxBodyBytes: 64 * 1024) { router in
            router.streaming(.POST, "/ingest") { request, body in
                let delay = UInt64(request.queryParameters["delay_us"].flatMap(Int.init) ?? 0) * 1000
                var total = 0
                var checksum: UInt64 = 0
                for try await chunk in body {
                    for byte in chunk { checksum = checksum &* 31 &+ UInt64(byte) }
                    total += chunk.count
                    if delay > 0 { try await Task.sleep(nanoseconds: delay) }
                }
                return .text("\(total) \(checksum)")
            }
            router.streaming(.POST, "/reject") { _, _ in throw APIError.notFound("no such index") }
        }
    }

    private func payload(_ count: Int) -> (String, String) {
        var checksum: UInt64 = 0
        let text = String((0..<count).map { i -> Character in
            let c = Character(UnicodeScalar(UInt8(97 + i % 26)))
            checksum = checksum &* 31 &+ UInt64(97 + i % 26)
            return c
        })
        return (text, "\(count) \(checksum)")
    }

    @Test func contentLengthBodyBeyondTheOrdinaryLimitStreamsThroughASlowHandler() async throws {
        let test = try startServer()
        let (body, expected) = payload(6 * 1024 * 1024)
        let connection = try RawConnection(port: test.port, receiveTimeoutMs: 30_000)
        // The handler sleeps per chunk, so the server must stop reading and resume (back-pressure).
        async let sent: Void = connection.sendOffPool("POST /ingest?delay_us=500 HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        let response = try #require(await connection.readResponseOffPool())
        await sent
        #expect(response.status == 200)
        #expect(response.body == expected)
        // Keep-alive still works after a fully read streamed body.
        await connection.sendOffPool("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(await connection.readResponseOffPool()?.body == "hello")
        await test.stop()
    }

    @Test func chunkedBodyStreams() async throws {
        let test = try startServer()
        let (body, expected) = payload(300_000)
        var wire = "POST /ingest HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        var offset = body.startIndex
        while offset < body.endIndex {
            let end = body.index(offset, offsetBy: 7_777, limitedBy: body.endIndex) ?? body.endIndex
            let piece = body[offset..<end]
            wire += String(piece.utf8.count, radix: 16) + "\r\n" + piece + "\r\n"
            offset = end
        }
        wire += "0\r\n\r\n"
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool(wire)
        let response = try #require(await connection.readResponseOffPool())
        #expect(response.body == expected)
        await test.stop()
    }

    @Test func ordinaryRoutesKeepTheOrdinaryLimit() async throws {
        let test = try startServer()
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
        #expect(await connection.readResponseOffPool()?.status == 413)
        await test.stop()
    }

    @Test func earlyAnswerClosesTheConnectionInsteadOfReadingGarbage() async throws {
        let test = try startServer()
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("POST /reject HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" + String(repeating: "x", count: 10_000))
        let response = try #require(await connection.readResponseOffPool())
        #expect(response.status == 404)
        #expect(response.header("connection") == "close")
        #expect(await connection.isClosedByPeerOffPool())
        await test.stop()
    }

    @Test func clientVanishingMidBodyFailsTheHandlerNotTheServer() async throws {
        let test = try startServer()
        do {
            let connection = try RawConnection(port: test.port)
            connection.send("POST /ingest HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\nabc")
            try await Task.sleep(nanoseconds: 50_000_000)
        }  // closed here
        try await Task.sleep(nanoseconds: 100_000_000)
        let next = try RawConnection(port: test.port)
        await next.sendOffPool("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(await next.readResponseOffPool()?.status == 200)
        #expect(test.server.inFlightRequests.load(ordering: .relaxed) == 0)
        await test.stop()
    }
}
