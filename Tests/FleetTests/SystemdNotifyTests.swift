import Foundation
import Glibc
import Testing
import LakehouseKit

/// The sd_notify protocol as systemd speaks it: a unix datagram socket at $NOTIFY_SOCKET.
@Suite struct SystemdNotifyTests {
    /// A bound datagram socket standing in for systemd's notify socket.
    final class NotifySocket: @unchecked Sendable {
        let fd: Int32
        let path: String

        init() throws {
            path = NSTemporaryDirectory() + "lakehouse-notify-\(UUID().uuidString.prefix(8)).sock"
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw SystemError("bind \(path)") }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            unlink(path)
        }

        /// `receive`, on a thread of its own: a blocking recv must not hold one of the few workers
        /// Swift's tasks (this test's and every other suite's) run on.
        func receiveOffPool(until predicate: @escaping @Sendable ([String]) -> Bool, timeout: TimeInterval = 10) async -> [String] {
            await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: self.receive(until: predicate, timeout: timeout)) }.start()
            }
        }

        /// Messages received until `predicate` holds over all of them, or the deadline.
        func receive(until predicate: ([String]) -> Bool, timeout: TimeInterval = 10) -> [String] {
            var messages: [String] = []
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline && !predicate(messages) {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 { messages.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
            }
            return messages
        }
    }

    @Test func daemonSendsReadyWatchdogAndStopping() async throws {
        let notify = try NotifySocket()
        let fleet = try Fleet(extraEnvironment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"])
        defer { fleet.removeData() }
        try fleet.start([.truthd])
        let started = await notify.receiveOffPool(until: { messages in
            messages.contains { $0.contains("READY=1") } && messages.filter { $0 == "WATCHDOG=1" }.count >= 2
        })
        // READY=1 need not come first: the watchdog pings from the start, and a start slower than
        // half of WATCHDOG_USEC (a loaded box) sends a WATCHDOG=1 before it, which systemd accepts.
        #expect(started.contains { $0.hasPrefix("READY=1") }, "\(started)")
        #expect(started.filter { $0 == "WATCHDOG=1" }.count >= 2, "watchdog pings at half of WATCHDOG_USEC: \(started)")
        fleet.process(.truthd).signal(SIGTERM)
        let stopping = await notify.receiveOffPool(until: { $0.contains("STOPPING=1") })
        #expect(stopping.contains("STOPPING=1"))
        #expect(fleet.process(.truthd).terminate() == 0)
    }
}
