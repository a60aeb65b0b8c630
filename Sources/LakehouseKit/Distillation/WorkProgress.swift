import Foundation
import Synchronization

/// How far a long piece of work (a materialization, a replay) has got, for `GET …/status` while its
/// POST is in flight; the operator CLI polls it to draw a progress bar. Thread-safe.
public final class WorkProgress: Sendable {
    /// One reading: `done` of `total` `unit`s (`total` may grow while the work discovers more),
    /// `runs` resolved so far.
    public struct Snapshot: Codable, Sendable, Equatable {
        public var running: Bool
        public var unit: String
        public var done: Int
        public var total: Int
        public var runs: Int
        public var startedAt: String?
        public var elapsedMs: Double

        enum CodingKeys: String, CodingKey {
            case running, unit, done, total, runs
            case startedAt = "started_at"
            case elapsedMs = "elapsed_ms"
        }
    }

    private struct State {
        var running = false
        var done = 0
        var total = 0
        var runs = 0
        var startedAt: String?
        var started: UInt64 = 0
        var finished: UInt64 = 0
    }

    public let unit: String
    private let state = Mutex(State())

    public init(unit: String) { self.unit = unit }

    public func start(total: Int) {
        state.withLock { $0 = State(running: true, total: total, startedAt: ArtifactClock.now(), started: MonotonicClock.nanoseconds()) }
    }

    public func update(done: Int, total: Int? = nil, runs: Int? = nil) {
        state.withLock { state in
            state.done = done
            if let total { state.total = total }
            if let runs { state.runs = runs }
        }
    }

    /// The work ended (done, failed or refused midway); the last counts stay readable.
    public func finish() {
        state.withLock { state in
            state.running = false
            state.finished = MonotonicClock.nanoseconds()
        }
    }

    public var snapshot: Snapshot {
        state.withLock { state in
            let end = state.running ? MonotonicClock.nanoseconds() : state.finished
            let elapsed = state.started == 0 ? 0 : (Double(end &- state.started) / 1e3).rounded() / 1e3
            return Snapshot(running: state.running, unit: unit, done: state.done, total: max(state.total, state.done), runs: state.runs,
                            startedAt: state.startedAt, elapsedMs: elapsed)
        }
    }
}
