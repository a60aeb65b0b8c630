import Foundation
import Synchronization
import Testing
@testable import LakehouseKit

/// The event loop as a task executor (`Router.onLoop`), its loop-local client calls, and its timers.
@Suite struct EventLoopTests {
    /// An `onLoop` route's handler runs on the connection's loop thread and stays there across an
    /// await of a peer call (made through that loop's own pool); a plain async route does not run on a loop.
    @Test func onLoopHandlersRunOnTheLoopAcrossPeerCalls() async throws {
        let peer = try TestServer.start()
        let client = HTTPClient()
        let target = try SocketAddress(parsing: "127.0.0.1:\(peer.port)")
        let test = try TestServer.start { router in
            router.onLoop(.GET, "/on-loop") { _ in
                let before = EventLoopGroup.shared.current
                let answer = try await client.send(HTTPClientRequest(method: .GET, target: "/items/7"), to: target)
                let after = EventLoopGroup.shared.current
                let same = before != nil && before === after
                return .text("\(same) \(String(decoding: answer.body, as: UTF8.self))")
            }
            router.get("/pooled") { _ in .text("\(EventLoopGroup.shared.current == nil)") }
        }
        let caller = HTTPClient()
        let address = try SocketAddress(parsing: "127.0.0.1:\(test.port)")
        for _ in 0..<20 {
            let onLoop = try await caller.send(HTTPClientRequest(method: .GET, target: "/on-loop"), to: address)
            #expect(onLoop.status == .ok && String(decoding: onLoop.body, as: UTF8.self) == "true item 7")
        }
        let pooled = try await caller.send(HTTPClientRequest(method: .GET, target: "/pooled"), to: address)
        #expect(String(decoding: pooled.body, as: UTF8.self) == "true")
        await test.stop()
        await peer.stop()
    }

    /// A timer runs once, on the loop thread, no sooner than asked; from the loop thread itself and
    /// from any other thread.
    @Test func scheduledWorkRunsOnTheLoopAfterItsDelay() async throws {
        let loop = EventLoopGroup.shared.next()
        let started = MonotonicClock.nanoseconds()
        let fromOutside: (Bool, UInt64) = await withCheckedContinuation { continuation in
            loop.schedule(afterNanoseconds: 30_000_000) { continuation.resume(returning: (loop.inLoop, MonotonicClock.nanoseconds() - started)) }
        }
        #expect(fromOutside.0 && fromOutside.1 >= 30_000_000)
        let runs = Mutex(0)
        let fromInside: (Bool, UInt64) = await withCheckedContinuation { continuation in
            loop.execute {
                let scheduled = MonotonicClock.nanoseconds()
                loop.schedule(afterNanoseconds: 20_000_000) {
                    runs.withLock { $0 += 1 }
                    continuation.resume(returning: (loop.inLoop, MonotonicClock.nanoseconds() - scheduled))
                }
            }
        }
        #expect(fromInside.0 && fromInside.1 >= 20_000_000)
        try await Task.sleep(nanoseconds: 150_000_000)
        #expect(runs.withLock { $0 } == 1)
    }

    /// Work queued from the loop thread (which writes no wake-up) still runs promptly.
    @Test func workQueuedOnTheLoopRunsWithoutAWakeUp() async {
        let loop = EventLoopGroup.shared.next()
        let order = Mutex<[Int]>([])
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            loop.execute {
                loop.execute {
                    order.withLock { $0.append(2) }
                    loop.execute {
                        order.withLock { $0.append(3) }
                        continuation.resume()
                    }
                }
                order.withLock { $0.append(1) }
            }
        }
        #expect(order.withLock { $0 } == [1, 2, 3])
    }
}
