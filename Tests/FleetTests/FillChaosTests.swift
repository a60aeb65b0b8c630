import Foundation
import Glibc
import LakehouseKit
import Testing

/// Chaos under a steady fill load: every daemon the fill needs is SIGKILLed in turn and restarted.
/// Every fill gets 200, or 503/504 with the error envelope in bounded time; none gets a 500 or
/// hangs; afterwards every fill that got 200 has its whole run in the journal and the chain verifies.
/// (The gateway itself is not killed: its callers would see refused connections, not answers.)
@Suite(.serialized) struct FillChaosTests {
    final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var answers: [FillAnswer] = []
        private(set) var statuses: [Int: Int] = [:]
        private(set) var problems: [String] = []

        func add(status: Int, answer: FillAnswer?, body: String) {
            lock.lock()
            defer { lock.unlock() }
            statuses[status, default: 0] += 1
            if let answer { answers.append(answer) }
            if status != 200 {
                if ![503, 504].contains(status) { problems.append("status \(status): \(body.prefix(200))") }
                if (try? JSONDecoder().decode(ErrorEnvelope.self, from: Data(body.utf8))) == nil { problems.append("no envelope: \(body.prefix(200))") }
            }
        }

        func problem(_ text: String) {
            lock.lock()
            problems.append(text)
            lock.unlock()
        }

        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return statuses.values.reduce(0, +)
        }
    }

    @Test func killingEachDaemonUnderLoadLosesNoAcknowledgedRun() async throws {
        // Short peer timeouts, so that a fill caught by a dying daemon answers 503/504 quickly.
        let fill = try await FillFleet.start(environment: ["LAKEHOUSE_PEER_TIMEOUT_MS": "4000", "LAKEHOUSE_JOURNAL_RETRY_MAX_MS": "500"])
        defer { fill.fleet.removeData() }
        var maker = SentenceMaker(seed: 17)
        let sentences = (0..<60).map { _ in fill.satisfiableSentence(&maker) }
        let outcomes = Outcomes()
        let stop = Stopper()
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<3 {
                    group.addTask {
                        var next = client
                        while !stop.stopped {
                            let query = sentences[next % sentences.count]
                            next += 3
                            let started = Date()
                            do {
                                let (status, answer, body) = try await fill.fill(query: query, count: nil, maxAttempts: nil)
                                outcomes.add(status: status, answer: answer, body: body)
                            } catch {
                                outcomes.problem("no answer after \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(error)")
                            }
                        }
                    }
                }
            }
        }
        for daemon in [Daemon.embedd, .vectord, .matrixd, .chatd, .validatord, .truthd, .journald] {
            let before = outcomes.count
            while outcomes.count < before + 5 { try await Task.sleep(nanoseconds: 20_000_000) }
            fill.fleet.process(daemon).killHard()
            try await Task.sleep(nanoseconds: 300_000_000)
            try fill.fleet.restart(daemon)
            #expect(await fill.fleet.waitUntilReady(daemon, timeout: 60), "\(daemon) did not come back: \(fill.fleet.process(daemon).log.suffix(1000))")
        }
        let settled = outcomes.count
        while outcomes.count < settled + 10 { try await Task.sleep(nanoseconds: 20_000_000) }
        stop.stop()
        await load.value

        #expect(outcomes.problems.isEmpty, "\(outcomes.problems.prefix(5))")
        #expect(outcomes.statuses.keys.allSatisfy { [200, 503, 504].contains($0) }, "\(outcomes.statuses)")
        #expect(outcomes.answers.count >= 30, "\(outcomes.statuses)")
        // The kills were felt: some fills caught a daemon down and said so.
        #expect(outcomes.statuses[503, default: 0] + outcomes.statuses[504, default: 0] > 0, "\(outcomes.statuses)")
        print("chaos outcomes by status: \(outcomes.statuses.sorted { $0.key < $1.key })")
        // Every acknowledged run is whole in the journal (spooled events delivered), and the chain verifies.
        var incomplete: [String] = []
        for answer in outcomes.answers {
            let events = try await fill.events(of: answer, timeout: 30)
            let attempts = events.filter { $0.type == FillRunEventType.attempt }.count
            let types = Set(events.map(\.type))
            if attempts != answer.attempts.count || !types.isSuperset(of: [FillRunEventType.requested, FillRunEventType.retrieved, FillRunEventType.finished]) {
                incomplete.append("\(answer.runID): \(attempts)/\(answer.attempts.count) attempts, \(types.sorted())")
            }
        }
        #expect(incomplete.isEmpty, "\(incomplete.count) runs incomplete: \(incomplete.prefix(5))")
        #expect(try await fill.chainVerifies())
        _ = fill.fleet.stop()
    }
}

final class Stopper: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var stopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }
    func stop() {
        lock.lock()
        flag = true
        lock.unlock()
    }
}
