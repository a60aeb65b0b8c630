import Foundation
import Glibc
import Synchronization
@testable import LakehouseKit

/// A one-thread blocking TCP server that answers each accepted connection with the next scripted
/// reply (raw bytes, then close or keep reading) — for client behaviour no well-behaved server shows.
final class ScriptedServer: @unchecked Sendable {
    enum Reply {
        /// Write these bytes after reading a request head, then close.
        case bytesThenClose(String)
        /// Close right after reading the request head, answering nothing.
        case closeWithoutAnswer
    }

    let port: Int
    private let listener: Int32
    private let replies: Mutex<[Reply]>
    let acceptedConnections = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)

    init(replies: [Reply]) throws {
        let (fd, port) = try Socket.listen(on: try SocketAddress(parsing: "127.0.0.1:0"))
        // Blocking accept on its own thread.
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        listener = fd
        self.port = port
        self.replies = Mutex(replies)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    private func serve() {
        defer { exited.signal() }
        while !stopping.load(ordering: .acquiring) {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            acceptedConnections.add(1, ordering: .relaxed)
            let reply = replies.withLock { $0.isEmpty ? Reply.closeWithoutAnswer : $0.removeFirst() }
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
                let n = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if n < 0 && errno == EINTR { continue }  // a signal, not an end (see RawConnection.receive)
                if n <= 0 { break }
                received.append(contentsOf: chunk[0..<n])
            }
            if case .bytesThenClose(let text) = reply {
                let bytes = Array(text.utf8)
                _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            close(client)
        }
    }

    /// Stops and waits for the accept thread to end before closing the listener: closed early, its
    /// descriptor number could be reused by another test's socket, which this thread would then
    /// accept from.
    func stop() {
        stopping.store(true, ordering: .releasing)
        shutdown(listener, Int32(SHUT_RDWR))
        exited.wait()
        close(listener)
    }
}
