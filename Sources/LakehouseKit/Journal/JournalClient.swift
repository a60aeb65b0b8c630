import Foundation
import Synchronization

/// The journal client every daemon records its events with (SPEC §6 journald, last bullet).
///
/// `record` never blocks and never fails its caller. Every event goes to a local write-ahead spool
/// (`$LAKEHOUSE_DATA_DIR/<daemon>/journal-spool/`, a `RecordLog` whose group-committed fsync runs on
/// its own thread), then a background sender posts the spooled events to journald in order, in
/// batches, retrying with backoff while journald is down or failing. Events are appended to the
/// spool in groups, not one by one: by `sync` (a request about to answer: one fsync covers every
/// event recorded so far, by every request in flight) or at the latest 10 ms after an event was
/// recorded (a timer, whatever the sender is doing, so journald being down changes nothing), and
/// the sender posts what is spooled, so one spool write and one `POST /v1/events` carry many
/// events. At hundreds of fills a second that is a few fsyncs and posts per burst instead of
/// one per event, here and in journald.
/// After a restart the spool is replayed and everything not yet acknowledged is sent again.
/// Delivery is exactly once because every event carries an `id` (assigned here if missing) and
/// journald acknowledges a known `id` without appending it again.
///
/// Bounded: when the undelivered spool passes `LAKEHOUSE_JOURNAL_SPOOL_BYTES`, new events are
/// dropped (counted in `lakehouse_journal_dropped_events_total`, logged as errors, and
/// `lakehouse_journal_spool_full` is 1) rather than blocking a request.
///
/// | variable | default | meaning |
/// | --- | --- | --- |
/// | `LAKEHOUSE_JOURNAL_SPOOL_BYTES` | 64M | most undelivered bytes kept; beyond it events are dropped |
/// | `LAKEHOUSE_JOURNAL_BATCH` | 500 | most events per `POST /v1/events` |
/// | `LAKEHOUSE_JOURNAL_RETRY_MAX_MS` | 5000 | longest wait between retries while journald is unreachable |
public final class JournalClient: Sendable {
    struct Pending: Sendable {
        let bytes: [UInt8]
        let position: RecordLog.Position
    }

    struct State: Sendable {
        /// Recorded, not yet appended to the spool (in record order; `spoolUnspooled` appends them).
        var unspooled: [[UInt8]] = []
        /// A timer will spool `unspooled` (set by the first event recorded after a spool write).
        var spoolTimerSet = false
        var pending: [Pending] = []
        var head = 0
        var pendingBytes = 0
        var recorded = 0
        var acknowledged = 0
        /// Where the first undelivered record starts (persisted lazily in `cursor.json`).
        var cursor: RecordLog.Position?
        var cursorDirty = false
        var wake: CheckedContinuation<Void, Never>?
        var closing = false
        var lastDropLog: Date = .distantPast
        /// Set when an event is dropped; cleared once deliveries bring the spool below 3/4 of its bound.
        var full = false
        /// The spool append of the newest spooled event: once it is durable, so is every earlier one.
        var lastTicket: RecordLog.Ticket?
    }

    /// How long an event may wait in memory for others to join its spool write (the window in
    /// which, without `sync`, a `kill -9` can lose it).
    static let spoolDelayNanoseconds: UInt64 = 10_000_000
    /// How long the sender waits after a short batch before posting again.
    static let postGatherNanoseconds: UInt64 = 10_000_000

    let spool: RecordLog
    let context: DaemonContext
    let spoolLimit: Int
    let batchSize: Int
    let retryMaxMs: Int
    let directory: String
    private let state = Mutex(State())
    /// Cursor files are written (with fsyncs) here, never on Swift's cooperative threads.
    private let disk = DispatchQueue(label: "journal-client-cursor")
    private let sender = Mutex<Task<Void, Never>?>(nil)
    private let recordedCounter: Counter
    private let deliveredCounter: Counter
    private let droppedCounter: Counter
    private let rejectedCounter: Counter
    private let failureCounter: Counter

    /// Opens (or creates) the spool under the daemon's data dir, replays what was not yet
    /// delivered, and starts the background sender.
    public init(context: DaemonContext) throws {
        self.context = context
        spoolLimit = try context.environment.bytes("LAKEHOUSE_JOURNAL_SPOOL_BYTES", default: 64 << 20, in: (64 << 10)...(1 << 40))
        batchSize = try context.environment.int("LAKEHOUSE_JOURNAL_BATCH", default: 500, in: 1...10_000)
        retryMaxMs = try context.environment.int("LAKEHOUSE_JOURNAL_RETRY_MAX_MS", default: 5_000, in: 10...600_000)
        directory = (try context.dataDirectory() as NSString).appendingPathComponent("journal-spool")
        try DurableFile.createDirectory(directory)
        let cursor = JournalClient.readCursor(directory)
        var replayed: [Pending] = []
        spool = try RecordLog(.init(directory: directory, filePrefix: "spool", magic: "LHSPOOL1", segmentBytes: 4 << 20, maxRecordBytes: 1 << 20)) { position, raw in
            if let cursor, position < cursor { return }
            replayed.append(Pending(bytes: Array(raw), position: position))
        }
        if !spool.recovery.damage.isEmpty {
            context.logger.error("journal spool damaged; the damaged records are skipped", [("damage", spool.recovery.damage.map(\.description).joined(separator: "; "))])
        }
        let metrics = context.metrics
        recordedCounter = metrics.counter("lakehouse_journal_recorded_events_total", help: "Events recorded for journald.")
        deliveredCounter = metrics.counter("lakehouse_journal_delivered_events_total", help: "Events acknowledged by journald.")
        droppedCounter = metrics.counter("lakehouse_journal_dropped_events_total", help: "Events dropped because the spool was full.")
        rejectedCounter = metrics.counter("lakehouse_journal_rejected_events_total", help: "Events journald refused as malformed (dropped).")
        failureCounter = metrics.counter("lakehouse_journal_send_failures_total", help: "Failed deliveries to journald (retried).")
        // The cursor is the first record to send, else the end of the spool as it is now (a cursor
        // saved past records a crash tore off the spool must not hide the records appended next).
        let last = spool.segments.last ?? 1
        let lastSize = (try? FileManager.default.attributesOfItem(atPath: (directory as NSString).appendingPathComponent(spool.fileName(segment: last)))[.size] as? Int) ?? 8
        let start = replayed.first?.position ?? RecordLog.Position(segment: last, offset: lastSize)
        state.withLock { s in
            s.pending = replayed
            s.pendingBytes = replayed.reduce(0) { $0 + $1.bytes.count }
            s.recorded = replayed.count
            s.cursor = start
            s.cursorDirty = start != cursor
        }
        metrics.gauge("lakehouse_journal_pending_events", help: "Events spooled and not yet acknowledged by journald.") {
            Double(self.state.withLock { $0.pending.count - $0.head + $0.unspooled.count })
        }
        metrics.gauge("lakehouse_journal_spool_bytes", help: "Bytes of events spooled and not yet acknowledged.") {
            Double(self.state.withLock { $0.pendingBytes })
        }
        metrics.gauge("lakehouse_journal_spool_full", help: "1 while the spool is over LAKEHOUSE_JOURNAL_SPOOL_BYTES (events are dropped).") {
            self.state.withLock { $0.full } ? 1 : 0
        }
        if !replayed.isEmpty {
            context.logger.info("journal spool replayed", [("events", String(replayed.count))])
        }
        persistCursor(force: false)
        // The sender runs on one of the client's event loops: its posts go through that loop's own
        // connection pool and its wake-ups by requests on that loop cost no thread hop.
        let loop = context.peers.client.group.next()
        sender.withLock { $0 = Task.detached(executorPreference: loop) { [self] in await self.sendLoop() } }
    }

    /// Queues `event` for journald. Never blocks on I/O or the network and never throws; assigns
    /// a UUID `id` when the event has none.
    public func record(_ event: JournalEvent) {
        var event = event
        if event.id == nil { event.id = EventID.make() }
        let bytes = event.jsonBytes()
        recordedCounter.increment()
        let accepted: Bool = state.withLock { s in
            guard !s.closing, s.pendingBytes + bytes.count <= spoolLimit, bytes.count <= spool.configuration.maxRecordBytes else {
                return false
            }
            s.unspooled.append(bytes)
            s.pendingBytes += bytes.count
            s.recorded += 1
            if !s.spoolTimerSet {
                s.spoolTimerSet = true
                let spoolNow: @Sendable () -> Void = {
                    self.state.withLock { s in
                        s.spoolTimerSet = false
                        self.spoolUnspooled(&s)
                    }
                }
                // Recorded on an event loop (a request's handler): that loop's own timer, which
                // wakes no other thread; elsewhere a dispatch timer.
                if let loop = context.peers.client.group.current {
                    loop.schedule(afterNanoseconds: Self.spoolDelayNanoseconds, spoolNow)
                } else {
                    disk.asyncAfter(deadline: .now() + .nanoseconds(Int(Self.spoolDelayNanoseconds)), execute: spoolNow)
                }
            }
            return true
        }
        if !accepted { drop(event) }
    }

    /// Appends the unspooled events to the spool as one write (under the state lock, which keeps
    /// spool order = record order = send order).
    private func spoolUnspooled(_ s: inout State) {
        guard !s.unspooled.isEmpty else { return }
        let ticket = spool.append(s.unspooled)
        for (bytes, position) in zip(s.unspooled, ticket.positions) { s.pending.append(Pending(bytes: bytes, position: position)) }
        s.unspooled.removeAll(keepingCapacity: true)
        s.lastTicket = ticket
        if let wake = s.wake {
            s.wake = nil
            wake.resume()
        }
    }

    private func drop(_ event: JournalEvent) {
        droppedCounter.increment()
        let shouldLog: Bool = state.withLock { s in
            s.full = true
            guard Date().timeIntervalSince(s.lastDropLog) > 10 else { return false }
            s.lastDropLog = Date()
            return true
        }
        if shouldLog {
            context.logger.error("journal spool full: events are being DROPPED (journald unreachable?)",
                                 [("limit_bytes", String(spoolLimit)), ("type", event.type), ("dropped_total", String(droppedCounter.value))])
        }
    }

    /// Waits until everything recorded so far is durable in the local spool (one group-committed
    /// fsync, not a round trip to journald), so that a daemon can answer "done" knowing its events
    /// survive its own `kill -9`. False if the spool failed.
    @discardableResult
    public func sync() async -> Bool {
        guard let ticket = state.withLock({ (s: inout State) -> RecordLog.Ticket? in
            spoolUnspooled(&s)
            return s.lastTicket
        }) else { return true }
        do {
            try await spool.waitDurable(ticket)
            return true
        } catch {
            return false
        }
    }

    /// Waits until everything recorded so far is acknowledged by journald; false on timeout.
    public func flush(timeoutMs: Int) async -> Bool {
        let target = state.withLock { $0.recorded }
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        while true {
            let done = state.withLock { $0.acknowledged >= target || ($0.head >= $0.pending.count && $0.unspooled.isEmpty) }
            if done { return true }
            if Date() >= deadline { return false }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    /// Delivers what it can within a bound (2 s), then stops the sender, records the delivery
    /// cursor and closes the spool; anything undelivered stays spooled for the next start.
    public func close() async {
        _ = await flush(timeoutMs: 2_000)
        let wake: CheckedContinuation<Void, Never>? = state.withLock { s in
            s.closing = true
            defer { s.wake = nil }
            return s.wake
        }
        wake?.resume()
        let task = sender.withLock { $0 }
        task?.cancel()
        await task?.value
        state.withLock { spoolUnspooled(&$0) }  // undelivered events stay spooled for the next start
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            disk.async {
                self.persistCursor(force: true)
                self.spool.close()
                continuation.resume()
            }
        }
    }

    // MARK: - Sending

    private func sendLoop() async {
        var backoffMs = 50
        var lastPersist = Date()
        while true {
            let batch: [Pending]? = await nextBatch()
            guard let batch else { return }
            let outcome = await send(batch)
            switch outcome {
            case .delivered:
                acknowledge(batch.count)
                backoffMs = 50
                // A short batch: let the next one gather for a moment (fewer, fuller posts).
                if batch.count < batchSize && !state.withLock({ $0.closing }) { try? await Task.sleep(nanoseconds: Self.postGatherNanoseconds) }
            case .rejected:
                // A batch journald refuses as malformed: find the bad events one by one, keep order.
                if batch.count > 1 {
                    var delivered = 0
                    for event in batch {
                        let single = await send([event])
                        if case .unavailable = single { break }
                        if case .rejected = single { rejectedCounter.increment() }
                        acknowledge(1)
                        delivered += 1
                    }
                    if delivered < batch.count { await pause(&backoffMs) }
                } else {
                    rejectedCounter.increment()
                    context.logger.error("journald refused an event; it is dropped",
                                         [("event", String(decoding: batch[0].bytes.prefix(300), as: UTF8.self))])
                    acknowledge(1)
                }
            case .unavailable:
                failureCounter.increment()
                await pause(&backoffMs)
            }
            if Date().timeIntervalSince(lastPersist) > 0.5 {
                disk.async { self.persistCursor(force: false) }
                lastPersist = Date()
            }
        }
    }

    private func pause(_ backoffMs: inout Int) async {
        let closing = state.withLock { $0.closing }
        if closing { return }
        try? await Task.sleep(nanoseconds: UInt64(backoffMs) * 1_000_000)
        backoffMs = min(retryMaxMs, backoffMs * 2)
    }

    /// The next events to send, waiting for some; nil once closing.
    private func nextBatch() async -> [Pending]? {
        while true {
            enum Next { case batch([Pending]), stop, wait }
            let next: Next = state.withLock { s in
                if s.closing { return .stop }
                if s.head < s.pending.count {
                    return .batch(Array(s.pending[s.head..<min(s.pending.count, s.head + batchSize)]))
                }
                return .wait
            }
            switch next {
            case .batch(let b): return b
            case .stop: return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow: Bool = state.withLock { s in
                        if s.closing || s.head < s.pending.count { return true }
                        s.wake = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    private func acknowledge(_ count: Int) {
        deliveredCounter.increment(by: count)
        state.withLock { s in
            for i in s.head..<(s.head + count) { s.pendingBytes -= s.pending[i].bytes.count }
            s.head += count
            s.acknowledged += count
            if s.full && s.pendingBytes < spoolLimit / 4 * 3 { s.full = false }
            let last = s.pending[s.head - 1]
            // The first undelivered record, or (nothing pending) the end of the last delivered one:
            // every later append lands at or after it.
            s.cursor = s.head < s.pending.count ? s.pending[s.head].position
                : RecordLog.Position(segment: last.position.segment, offset: last.position.offset + 8 + last.bytes.count)
            s.cursorDirty = true
            if s.head > 4096 && s.head * 2 > s.pending.count {
                s.pending.removeFirst(s.head)
                s.head = 0
            }
        }
    }

    enum Outcome { case delivered, rejected, unavailable }

    private func send(_ batch: [Pending]) async -> Outcome {
        var body: [UInt8] = Array("{\"events\":[".utf8)
        body.reserveCapacity(batch.reduce(16) { $0 + $1.bytes.count + 1 })
        for (i, event) in batch.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: event.bytes)
        }
        body.append(contentsOf: "]}".utf8)
        do {
            let response = try await context.peers.send(.journald, .POST, "/v1/events", body: body, idempotent: true, timeoutMs: 10_000)
            switch response.status.code {
            case 200: return .delivered
            case 400, 413, 422: return .rejected
            default: return .unavailable
            }
        } catch {
            return .unavailable
        }
    }

    // MARK: - The delivery cursor

    /// Records where delivery stands (so a restart does not resend everything) and removes spool
    /// segments wholly delivered. Resending is harmless (ids), so this is lazy, not per batch.
    private func persistCursor(force: Bool) {
        let (cursor, dirty) = state.withLock { s in
            defer { s.cursorDirty = false }
            return (s.cursor, s.cursorDirty)
        }
        guard dirty || force, let next = cursor else { return }
        let text = "{\"segment\":\(next.segment),\"offset\":\(next.offset)}"
        do {
            try DurableFile.atomicReplace(path: (directory as NSString).appendingPathComponent("cursor.json"), bytes: Array(text.utf8))
            try spool.removeSegments(before: next.segment)
        } catch {
            context.logger.warn("journal spool cursor not saved: \(error)")
        }
    }

    static func readCursor(_ directory: String) -> RecordLog.Position? {
        guard let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent("cursor.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let segment = (object["segment"] as? NSNumber)?.uint64Value, let offset = (object["offset"] as? NSNumber)?.intValue
        else { return nil }
        return RecordLog.Position(segment: segment, offset: offset)
    }
}
