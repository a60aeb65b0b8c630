import Foundation
import Synchronization
import Testing
@testable import LakehouseKit

/// Response bodies written while the handler runs (server side, `ResponseBodyStream`) and read as
/// they arrive (client side, `HTTPClientRequest.streamResponse`).
@Suite(.serialized) struct StreamedResponseTests {
    static let bigBlocks = 1024
    let client = HTTPClient(configuration: .init(connectTimeoutMs: 5_000, requestTimeoutMs: 10_000))

    /// A route whose body is written in `pieces`, each released by the test through `gate`.
    final class Gate: @unchecked Sendable {
        let released = Mutex<Int>(0)
        func release() { released.withLock { $0 += 1 } }
        func wait(for count: Int) async {
            while released.withLock({ $0 }) < count { try? await Task.sleep(nanoseconds: 2_000_000) }
        }
    }

    /// The routes answer inline (on the loop) and write from `.high` tasks, so the server under test
    /// never waits in Swift's default-priority queue. On Linux that queue is libdispatch's default-QoS
    /// root queue with about one worker per core, and at the start of a run it holds every test job
    /// of every suite (many long and synchronous): a `Task {}` handler measured waiting 6.9 s there
    /// on a loaded 2-core box, longer than the 5 s a raw read waits. `.high` tasks run from the
    /// user-initiated root queue, whose workers nothing else here uses. (Handlers on ordinary tasks
    /// are tested everywhere else; what these tests check is the streamed body's framing and flow.)
    private func streamingServer(gate: Gate? = nil, pieces: [String] = ["alpha ", "beta ", "gamma"], abortAfter: Int? = nil,
                                 cancelled: Counter? = nil, written: Counter? = nil) throws -> TestServer {
        try TestServer.start { router in
            router.inline(.POST, "/stream") { _ in
                let body = ResponseBodyStream()
                Task(priority: .high) {
                    do {
                        for (index, piece) in pieces.enumerated() {
                            if let gate { await gate.wait(for: index) }
                            if index == abortAfter {
                                body.abort()
                                return
                            }
                            try await body.write(Array(piece.utf8))
                        }
                        body.finish()
                    } catch {
                        cancelled?.increment()
                    }
                }
                return .streaming(body, contentType: "text/event-stream")
            }
            router.inline(.GET, "/big") { _ in
                let body = ResponseBodyStream()
                Task(priority: .high) {
                    do {
                        // 64 MiB, far beyond the stream's buffer: only back-pressure keeps this bounded.
                        let block = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
                        for _ in 0..<StreamedResponseTests.bigBlocks {
                            try await body.write(block)
                            written?.increment()
                        }
                        body.finish()
                    } catch {
                        cancelled?.increment()
                    }
                }
                return .streaming(body, contentType: "application/octet-stream")
            }
        }
    }

    // The raw-socket tests are async and do their blocking socket calls on threads of their own
    // (`…OffPool`), never on one of the few workers that Swift's tasks, the server's included, run on.

    @Test func streamedBodyIsChunkedAndTheConnectionIsReusedAfterIt() async throws {
        let test = try streamingServer()
        let connection = try RawConnection(port: test.port)
        for _ in 0..<2 {
            await connection.sendOffPool("POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            let terminator = Array("0\r\n\r\n".utf8)
            let raw = await connection.receiveOffPool { $0.count >= terminator.count && Array($0.suffix(terminator.count)) == terminator }
            let received = String(decoding: raw, as: UTF8.self)
            #expect(received.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(received.contains("Transfer-Encoding: chunked\r\n"))
            #expect(!received.lowercased().contains("content-length"))
            // Decode the chunks (bytes, not Characters: "\r\n" is one Character): pieces written
            // together may share a chunk.
            let bytes = Array(received.utf8)
            var offset = try #require(bytes.firstRange(of: Array("\r\n\r\n".utf8))).upperBound
            var decoded: [UInt8] = []
            var sizes: [Int] = []
            while let lineEnd = bytes[offset...].firstRange(of: Array("\r\n".utf8)),
                  let size = Int(String(decoding: bytes[offset..<lineEnd.lowerBound], as: UTF8.self), radix: 16) {
                sizes.append(size)
                decoded += bytes[lineEnd.upperBound..<(lineEnd.upperBound + size)]
                offset = lineEnd.upperBound + size + 2
                if size == 0 { break }
            }
            #expect(String(decoding: decoded, as: UTF8.self) == "alpha beta gamma", "\(received)")
            #expect(sizes.last == 0 && offset == bytes.count)
        }
        // Plain responses still work on the same connection afterwards.
        await connection.sendOffPool("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await connection.readResponseOffPool()?.body == "hello")
        await test.stop()
    }

    @Test func http10ClientGetsACloseDelimitedBody() async throws {
        let test = try streamingServer()
        let connection = try RawConnection(port: test.port)
        await connection.sendOffPool("POST /stream HTTP/1.0\r\nContent-Length: 0\r\n\r\n")
        // Until EOF: the server's close is the body's end.
        let received = String(decoding: await connection.receiveOffPool(), as: UTF8.self)
        #expect(received.hasSuffix("\r\n\r\nalpha beta gamma"), "\(received)")
        #expect(!received.contains("chunked"))
        #expect(await connection.isClosedByPeerOffPool())
        await test.stop()
    }

    @Test func clientReceivesPiecesBeforeTheBodyEnds() async throws {
        let gate = Gate()
        let test = try streamingServer(gate: gate)
        var request = HTTPClientRequest(method: .POST, target: "/stream")
        request.streamResponse = true
        let response = try await client.send(request, to: try SocketAddress(parsing: "127.0.0.1:\(test.port)"))
        #expect(response.status == .ok)
        let body = try #require(response.bodyStream)
        var iterator = body.makeAsyncIterator()
        // Only the first piece has been written: it must arrive now, alone.
        #expect(try await iterator.next() == Array("alpha ".utf8))
        gate.release()
        #expect(try await iterator.next() == Array("beta ".utf8))
        gate.release()
        #expect(try await iterator.next() == Array("gamma".utf8))
        #expect(try await iterator.next() == nil)
        // The pooled connection is clean and carries the next (plain) request.
        let plain = try await client.send(HTTPClientRequest(method: .GET, target: "/hello"), to: try SocketAddress(parsing: "127.0.0.1:\(test.port)"))
        #expect(String(decoding: plain.body, as: UTF8.self) == "hello")
        #expect(test.server.connectionCount <= client.group.loops.count)
        await test.stop()
    }

    @Test func abortedStreamIsATruncationNotACleanEnd() async throws {
        let test = try streamingServer(abortAfter: 2)
        var request = HTTPClientRequest(method: .POST, target: "/stream")
        request.streamResponse = true
        let response = try await client.send(request, to: try SocketAddress(parsing: "127.0.0.1:\(test.port)"))
        let body = try #require(response.bodyStream)
        var received: [UInt8] = []
        var failure: (any Error)?
        do {
            for try await piece in body { received += piece }
        } catch {
            failure = error
        }
        #expect(String(decoding: received, as: UTF8.self) == "alpha beta ")
        #expect((failure as? HTTPClientError).map { if case .connectionClosed = $0 { true } else { false } } == true, "\(String(describing: failure))")
        await test.stop()
    }

    @Test func slowReaderBoundsTheWriterAndLeavingCancelsIt() async throws {
        let cancelled = Counter()
        let written = Counter()
        let test = try streamingServer(cancelled: cancelled, written: written)
        var request = HTTPClientRequest(method: .GET, target: "/big")
        request.streamResponse = true
        let response = try await client.send(request, to: try SocketAddress(parsing: "127.0.0.1:\(test.port)"))
        let body = try #require(response.bodyStream)
        var iterator = body.makeAsyncIterator()
        var received = 0
        while received < 4 << 20, let piece = try await iterator.next() { received += piece.count }
        // The reader stops reading: the writer must come to a stop on back-pressure, short of the
        // end, not buffer the rest. (Counted at the writer: the process's RSS, checked here before,
        // also moves with every other suite running alongside.) Stopped = no block written over
        // three looks 100 ms apart; what sits between writer and reader then is the stream's
        // buffer and the two kernel socket buffers (at most 4 + 32 MiB here), less than the 60 MiB unread.
        var samples = [written.value]
        for _ in 0..<100 where samples.count < 4 || Set(samples.suffix(4)).count > 1 {
            try await Task.sleep(nanoseconds: 100_000_000)
            samples.append(written.value)
        }
        #expect(Set(samples.suffix(4)).count == 1, "the writer never stopped: \(samples)")
        #expect(samples.last! < Self.bigBlocks, "the whole body was written while the reader paused")
        body.cancel()
        // The client drops the connection; the server's writer is told and stops.
        for _ in 0..<200 where cancelled.value == 0 { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(cancelled.value == 1)
        await test.stop()
    }

    @Test func contentLengthBodiesStillArriveWholeInStreamingMode() async throws {
        let test = try streamingServer()
        var request = HTTPClientRequest(method: .GET, target: "/hello")
        request.streamResponse = true
        let response = try await client.send(request, to: try SocketAddress(parsing: "127.0.0.1:\(test.port)"))
        #expect(response.bodyStream == nil)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello")
        await test.stop()
    }
}
