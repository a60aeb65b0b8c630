import Foundation
import LakehouseKit

/// Every claim, append-only, in a `RecordLog` (segments `claims-<n>.log`; one record = one claim's
/// JSON), and in memory by subject and attribute. A claim is visible once it is durable; the log
/// order is the ingest order (`seq`). Knows nothing of HTTP.
final class ClaimStore: @unchecked Sendable {
    let log: RecordLog
    private let lock = NSLock()
    // Guarded by `lock`:
    private var subjects: [String: [String: [StoredClaim]]] = [:]
    private var nextSeq = 1
    private var count = 0
    private var failure: String?
    let recoveredClaims: Int
    let damage: [RecordLog.Damage]

    init(directory: String, segmentBytes: Int) throws {
        var subjects: [String: [String: [StoredClaim]]] = [:]
        var seq = 0
        var undecodable: [RecordLog.Damage] = []
        let configuration = RecordLog.Configuration(directory: directory, filePrefix: "claims", magic: "LHCLAIM1", segmentBytes: segmentBytes, maxRecordBytes: 1 << 20)
        log = try RecordLog(configuration) { position, raw in
            seq += 1
            guard let (claim, time) = try? ClaimCoding.decode(raw, path: "claim") else {
                undecodable.append(RecordLog.Damage(position: position, file: configuration.filePrefix, reason: "claim does not decode", skippedBytes: raw.count))
                return
            }
            subjects[claim.subject, default: [:]][claim.attribute, default: []].append(StoredClaim(claim: claim, seq: seq, observedAt: time))
        }
        self.subjects = subjects
        nextSeq = seq + 1
        count = seq
        recoveredClaims = seq
        damage = log.recovery.damage + undecodable
    }

    var claimCount: Int { lock.withLock { count } }
    var subjectCount: Int { lock.withLock { subjects.count } }

    /// Appends `claims` and returns once they are durable (and visible).
    func append(_ claims: [(Claim, Double)]) async throws(TruthError) {
        let (ticket, stored) = try reserve(claims)
        do {
            try await log.waitDurable(ticket)
        } catch {
            lock.withLock { failure = "\(error)" }
            throw .unavailable("the claim log failed: \(error)")
        }
        lock.withLock {
            for s in stored { subjects[s.claim.subject, default: [:]][s.claim.attribute, default: []].append(s) }
            count += stored.count
        }
    }

    private func reserve(_ claims: [(Claim, Double)]) throws(TruthError) -> (RecordLog.Ticket, [StoredClaim]) {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw .unavailable("the claim log failed: \(failure)") }
        var stored: [StoredClaim] = []
        stored.reserveCapacity(claims.count)
        for (claim, time) in claims {
            stored.append(StoredClaim(claim: claim, seq: nextSeq, observedAt: time))
            nextSeq += 1
        }
        return (log.append(claims.map { ClaimCoding.encode($0.0) }), stored)
    }

    /// Every claim about `subject`, by attribute; nil for a subject with none.
    func claims(subject: String) -> [String: [StoredClaim]]? {
        lock.withLock { subjects[subject] }
    }

    func close() { log.close() }
}
