import LakehouseKit
import Synchronization

/// truthd's answer about one certification for a batch of workers.
public enum CertificationAnswer: Sendable, Equatable {
    /// The workers whose reconciled `certification.<id>` fact is `true`.
    case confirmed(Set<String>)
    /// truthd could not be asked (down, timed out, unreadable answer): the check degrades to a warning.
    case unreachable(String)
}

/// Where `certification_unverified` asks (truthd over HTTP in the daemon, a script in tests).
public protocol CertificationSource: Sendable {
    func confirmed(certification: String, workerIDs: [String], requestID: String?) async -> CertificationAnswer
}

/// truthd's batch `POST /v1/facts`, one call per validation. After a failure truthd is not asked
/// again for `cooldownMs`: a fill arriving meanwhile gets the warning at once instead of waiting out
/// a timeout of its own.
public final class TruthdCertificationSource: CertificationSource {
    let peers: PeerClient
    let timeoutMs: Int
    let cooldownMs: UInt64
    private let downUntil = Atomic<UInt64>(0)
    private let lastReason = Mutex<String>("")

    public init(peers: PeerClient, timeoutMs: Int, cooldownMs: UInt64 = 1_000) {
        self.peers = peers
        self.timeoutMs = timeoutMs
        self.cooldownMs = cooldownMs
    }

    public func confirmed(certification: String, workerIDs: [String], requestID: String?) async -> CertificationAnswer {
        let now = MonotonicClock.nanoseconds()
        if now < downUntil.load(ordering: .relaxed) { return .unreachable(lastReason.withLock { $0 }) }
        let answer = await ask(certification: certification, workerIDs: workerIDs, requestID: requestID)
        if case .unreachable(let reason) = answer {
            lastReason.withLock { $0 = reason }
            downUntil.store(MonotonicClock.nanoseconds() + cooldownMs * 1_000_000, ordering: .relaxed)
        }
        return answer
    }

    private func ask(certification: String, workerIDs: [String], requestID: String?) async -> CertificationAnswer {
        let body = JSONTree.string(FactsBatchRequest(subjects: workerIDs.map { "worker:\($0)" }))
        let response: HTTPClientResponse
        do {
            response = try await peers.send(.truthd, .POST, "/v1/facts", body: Array(body.utf8), requestID: requestID, idempotent: true, timeoutMs: timeoutMs)
        } catch {
            return .unreachable(error.description)
        }
        guard response.status == .ok else { return .unreachable("truthd answered \(response.status.code)") }
        guard let facts = try? JSONTree.decode(FactsBatchResponse.self, from: response.body) else {
            return .unreachable("truthd's answer is not a facts batch")
        }
        return .confirmed(Self.confirmedWorkers(facts, certification: certification))
    }

    /// Workers whose reconciled `certification.<id>` is `true`.
    static func confirmedWorkers(_ facts: FactsBatchResponse, certification: String) -> Set<String> {
        let attribute = "certification.\(certification)"
        var confirmed: Set<String> = []
        for subject in facts.facts where subject.attributes[attribute]?.value == .bool(true) && subject.subject.hasPrefix("worker:") {
            confirmed.insert(String(subject.subject.dropFirst("worker:".count)))
        }
        return confirmed
    }
}
