import Foundation
import Synchronization
import Testing
@testable import LakehouseKit

/// The journal client against a fake journald (a test server speaking `POST /v1/events`).
@Suite struct JournalClientTests {
    /// What the fake journald accepted, and how many calls it should still fail first.
    final class FakeJournal: Sendable {
        let accepted = Mutex<[String]>([])
        let failuresLeft: Mutex<Int>
        init(failFirst: Int) { failuresLeft = Mutex(failFirst) }

        /// Answered inline, on the loop: an ordinary task could wait seconds behind the rest of the
        /// run's test jobs, past the client's 2 s request timeout, and a batch the client then sent
        /// again would be counted twice here, where journald would recognise it by its id.
        func route(_ router: inout Router) {
            router.inline(.POST, "/v1/events") { request in
                let fail = self.failuresLeft.withLock { n -> Bool in
                    defer { n = max(0, n - 1) }
                    return n > 0
                }
                if fail { throw APIError.unavailable("down for the test") }
                let body = try JSONDecoder().decode(JournalAppendRequest.self, from: Data(request.body))
                self.accepted.withLock { $0 += body.events.map { $0.id ?? "?" } }
                return .json(bytes: Array("{\"events\":[]}".utf8))
            }
        }
    }

    static func context(dataDir: String, journaldPort: Int, extra: [String: String] = [:]) throws -> DaemonContext {
        var values = ["LAKEHOUSE_DATA_DIR": dataDir, "LAKEHOUSE_JOURNALD_ADDR": "127.0.0.1:\(journaldPort)", "LAKEHOUSE_JOURNAL_RETRY_MAX_MS": "50"]
        values.merge(extra) { $1 }
        let environment = Environment(values)
        let config = try CommonConfig(daemon: .truthd, environment: environment)
        return DaemonContext(daemon: .truthd, config: config, environment: environment, logger: Logger(daemon: "truthd", level: .error),
                             metrics: MetricsRegistry(),
                             peers: PeerClient(client: HTTPClient(configuration: .init(connectTimeoutMs: 200, requestTimeoutMs: 2_000)),
                                               addresses: config.peers, serviceToken: nil))
    }

    static func event(_ i: Int) -> JournalEvent {
        JournalEvent(id: "event-\(i)", daemon: "truthd", type: "test", traceID: "t", subject: "worker:W-\(i)", payload: ["i": .number(Double(i)), "x": 0.5])
    }

    @Test func deliversInOrderThroughFailuresExactlyOnce() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let fake = FakeJournal(failFirst: 3)
        let server = try TestServer.start { fake.route(&$0) }
        let client = try JournalClient(context: try Self.context(dataDir: dir.path, journaldPort: server.port, extra: ["LAKEHOUSE_JOURNAL_BATCH": "64"]))
        for i in 0..<300 { client.record(Self.event(i)) }
        #expect(await client.flush(timeoutMs: 60_000))
        #expect(fake.accepted.withLock { $0 } == (0..<300).map { "event-\($0)" })
        await client.close()
        await server.stop()
    }

    @Test func undeliveredEventsSurviveARestartOfTheCaller() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let closedPort = 1  // nothing listens: journald is down
        let first = try JournalClient(context: try Self.context(dataDir: dir.path, journaldPort: closedPort))
        for i in 0..<50 { first.record(Self.event(i)) }
        #expect(await first.flush(timeoutMs: 200) == false)
        await first.close()

        let fake = FakeJournal(failFirst: 0)
        let server = try TestServer.start { fake.route(&$0) }
        let second = try JournalClient(context: try Self.context(dataDir: dir.path, journaldPort: server.port))
        second.record(Self.event(50))
        #expect(await second.flush(timeoutMs: 10_000))
        #expect(fake.accepted.withLock { $0 } == (0...50).map { "event-\($0)" })
        await second.close()
        // A third start has nothing left to send.
        let third = try JournalClient(context: try Self.context(dataDir: dir.path, journaldPort: server.port))
        #expect(await third.flush(timeoutMs: 1_000))
        await third.close()
        #expect(fake.accepted.withLock { $0 }.count == 51)
        await server.stop()
    }

    @Test func aFullSpoolDropsAndCountsInsteadOfBlocking() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let context = try Self.context(dataDir: dir.path, journaldPort: 1, extra: ["LAKEHOUSE_JOURNAL_SPOOL_BYTES": "64K"])
        let client = try JournalClient(context: context)
        for i in 0..<2_000 { client.record(Self.event(i)) }
        let metrics = context.metrics.render()
        #expect(metrics.contains("lakehouse_journal_spool_full 1"))
        let dropped = metrics.split(separator: "\n").first { $0.hasPrefix("lakehouse_journal_dropped_events_total ") }
        #expect((dropped?.split(separator: " ").last).flatMap { Int($0) } ?? 0 > 1_000, "\(dropped ?? "none")")
        await client.close()
    }

    @Test func eventJSONRoundTripsAndIsSortedByKey() throws {
        let event = Self.event(7)
        let bytes = event.jsonBytes()
        #expect(try JSONDecoder().decode(JournalEvent.self, from: Data(bytes)) == event)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"daemon":"truthd","id":"event-7","payload":{"i":7,"x":0.5}"#))
        #expect(RFC3339.isValid(JournalEvent.timestamp()))
    }
}
