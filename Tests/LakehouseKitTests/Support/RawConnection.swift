import Foundation
import Glibc
@testable import LakehouseKit

/// A deliberately plain blocking TCP client for conformance tests: it sends exactly the bytes a test
/// gives it and reads exactly what the server sends, with a receive timeout so no test can hang.
/// The default timeout is a hang guard, not a deadline: a handler on an ordinary task can wait
/// seconds behind the rest of the test run's jobs (see `offPool`), so it is well above that.
/// `@unchecked Sendable`: at most one task sends while another reads; send(2) and recv(2) on one
/// socket are independent, and only the reader touches `buffer`.
final class RawConnection: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, receiveTimeoutMs: Int = 30_000) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var timeout = timeval(tv_sec: receiveTimeoutMs / 1000, tv_usec: (receiveTimeoutMs % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let address = try SocketAddress(parsing: "127.0.0.1:\(port)")
        let result = address.withSockAddr { connect(fd, $0, $1) }
        guard result == 0 else {
            let error = SystemError("connect")
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// One recv(2) into `chunk`: the byte count, 0 on EOF, -1 on error or timeout. A signal (the
    /// SIGCHLD of a process another test started) interrupts a recv that has SO_RCVTIMEO set with
    /// EINTR instead of restarting it (signal(7)), so that is retried rather than taken for an end.
    func receive(into chunk: inout [UInt8]) -> Int {
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// Reads more bytes into the buffer; false on EOF, error or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = receive(into: &chunk)
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    struct Response: Sendable {
        let status: Int
        let headers: [String: String]
        let body: String
        var header: (String) -> String? { { name in self.headers[name.lowercased()] } }
    }

    /// Reads one response framed by Content-Length (all our responses are); nil on EOF/timeout.
    func readResponse(bodyExpected: Bool = true) -> Response? {
        while true {
            if let end = findHeadEnd() {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                let statusLine = lines.removeFirst()
                let status = Int(statusLine.split(separator: " ")[1]) ?? 0
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = bodyExpected && status != 100 ? Int(headers["content-length"] ?? "0") ?? 0 : 0
                while buffer.count < end + length {
                    if !fill() { return nil }
                }
                let body = String(decoding: buffer[end..<end + length], as: UTF8.self)
                buffer.removeFirst(end + length)
                return Response(status: status, headers: headers, body: body)
            }
            if !fill() { return nil }
        }
    }

    /// True when the server has closed the connection (EOF) before `timeoutMs`.
    func isClosedByPeer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    // Blocking socket calls must not sit on Swift's cooperative threads: a test blocked in recv
    // there can starve the very handler it waits for. On Linux `DispatchQueue.global()` is no way
    // out: Swift's global executor *is* libdispatch's default-QoS root queue (same worker threads,
    // same FIFO), so a block sent there waits behind every queued test job before its recv even
    // starts. Each call gets a thread of its own instead.

    func sendOffPool(_ text: String) async {
        await offPool { self.send(text) }
    }

    func readResponseOffPool(bodyExpected: Bool = true) async -> Response? {
        await offPool { self.readResponse(bodyExpected: bodyExpected) }
    }

    func isClosedByPeerOffPool() async -> Bool {
        await offPool { self.isClosedByPeer() }
    }

    /// `readResponseOffPool`, with the moment the response was complete, taken on the reading
    /// thread: a timing check must not count the test task's own wait to be resumed.
    func readResponseOffPoolTimed(bodyExpected: Bool = true) async -> (response: Response?, at: Date) {
        await offPool { (self.readResponse(bodyExpected: bodyExpected), Date()) }
    }

    /// `isClosedByPeerOffPool`, with the moment the close (or the timeout) was seen.
    func isClosedByPeerOffPoolTimed() async -> (closed: Bool, at: Date) {
        await offPool { (self.isClosedByPeer(), Date()) }
    }

    /// Raw bytes (not framed by `readResponse`) until `complete` holds for what has arrived, or EOF,
    /// error or timeout: for bodies that are not Content-Length framed (chunked, close-delimited).
    func receiveOffPool(until complete: @escaping @Sendable ([UInt8]) -> Bool = { _ in false }) async -> [UInt8] {
        await offPool {
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while !complete(received) {
                let n = self.receive(into: &chunk)
                if n <= 0 { break }
                received += chunk[0..<n]
            }
            return received
        }
    }

    private func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 3..<buffer.count where buffer[i] == 10 && buffer[i - 1] == 13 && buffer[i - 2] == 10 && buffer[i - 3] == 13 {
            return i + 1
        }
        return nil
    }
}
