import Foundation
import LakehouseKit
import Synchronization

/// One provider's recent record: failures inside the cooldown window, the cooldown (if any), the
/// last errors (redacted messages only), and counters for `/metrics`. A provider that failed
/// `failures` times within `window` seconds is skipped for `cooldown` seconds; a 429's
/// `Retry-After` starts a cooldown of that length at once. When a cooldown ends the provider is
/// tried again, and one success clears its failure count.
final class ProviderHealth: Sendable {
    struct Policy: Sendable {
        var failures: Int
        var windowSeconds: Double
        var cooldownSeconds: Double
    }

    struct RecentError: Sendable, Encodable {
        let at: String
        let kind: String
        let message: String
    }

    struct Snapshot: Sendable {
        var requests = 0
        var successes = 0
        var failures = 0
        var fallbacks = 0
        var promptTokens = 0
        var completionTokens = 0
        var coolingDownForSeconds: Double?
        var recentErrors: [RecentError] = []
        var failureKinds: [String: Int] = [:]
    }

    private struct State {
        var failureTimes: [Double] = []
        var cooldownUntil: Double = 0
        var snapshot = Snapshot()
    }

    static let keptErrors = 10
    let policy: Policy
    private let state = Mutex(State())
    private let now: @Sendable () -> Double

    init(policy: Policy, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.policy = policy
        self.now = now
    }

    /// Seconds left of the cooldown, or nil when the provider may be tried.
    func cooldownRemaining() -> Double? {
        let time = now()
        return state.withLock { state in state.cooldownUntil > time ? state.cooldownUntil - time : nil }
    }

    func recordAttempt() { state.withLock { $0.snapshot.requests += 1 } }

    func recordSuccess(usage: ChatUsage?) {
        state.withLock { state in
            state.snapshot.successes += 1
            state.failureTimes.removeAll()
            if let usage {
                state.snapshot.promptTokens += usage.promptTokens
                state.snapshot.completionTokens += usage.completionTokens
            }
        }
    }

    /// Counts tokens of a stream that failed after it began (they were still produced).
    func recordTokens(_ usage: ChatUsage) {
        state.withLock { state in
            state.snapshot.promptTokens += usage.promptTokens
            state.snapshot.completionTokens += usage.completionTokens
        }
    }

    func recordFallback() { state.withLock { $0.snapshot.fallbacks += 1 } }

    func recordFailure(_ failure: ProviderFailure) {
        let time = now()
        state.withLock { state in
            state.snapshot.failures += 1
            state.snapshot.failureKinds[failure.kind, default: 0] += 1
            state.snapshot.recentErrors.append(RecentError(at: ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: time)),
                                                           kind: failure.kind, message: failure.description))
            if state.snapshot.recentErrors.count > ProviderHealth.keptErrors { state.snapshot.recentErrors.removeFirst() }
            // A request the provider refused (400, 401, 404) says nothing about its health.
            guard failure.fallsOver else { return }
            state.failureTimes.append(time)
            state.failureTimes.removeAll { time - $0 > policy.windowSeconds }
            if state.failureTimes.count >= policy.failures {
                state.cooldownUntil = max(state.cooldownUntil, time + policy.cooldownSeconds)
                state.failureTimes.removeAll()
            }
            if case .status(429, let retryAfter?, _) = failure {
                state.cooldownUntil = max(state.cooldownUntil, time + retryAfter)
            }
        }
    }

    var snapshot: Snapshot {
        let time = now()
        return state.withLock { state in
            var snapshot = state.snapshot
            snapshot.coolingDownForSeconds = state.cooldownUntil > time ? state.cooldownUntil - time : nil
            return snapshot
        }
    }
}
