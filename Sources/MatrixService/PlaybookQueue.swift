import LakehouseKit
import Synchronization

/// Playbooks on their way to vectord. Under load (a playbook per valid fill, hundreds a second)
/// the records that arrive while one upsert is being stored go together in the next: one embedd
/// call and one durable vectord upsert for all of them instead of one each. Each caller returns
/// only once the upsert holding its record was acknowledged (durable), or with that upsert's error.
final class PlaybookQueue: Sendable {
    private struct Pending: Sendable {
        let record: CorpusIngest.Prepared
        let corpus: Corpus
        let requestID: String?
        let done: CheckedContinuation<Result<Void, MatrixError>, Never>
    }

    /// Records per upsert at most (the rest wait for the next).
    static let maxBatch = 256

    private let ingest: CorpusIngest
    private let state = Mutex<(waiting: [Pending], storing: Bool)>(([], false))

    init(ingest: CorpusIngest) {
        self.ingest = ingest
    }

    /// Stores `record` in `corpus`, together with whatever else is waiting.
    func store(_ record: CorpusIngest.Prepared, in corpus: Corpus, requestID: String?) async throws(MatrixError) {
        let result = await withCheckedContinuation { (done: CheckedContinuation<Result<Void, MatrixError>, Never>) in
            let start = state.withLock { state in
                state.waiting.append(Pending(record: record, corpus: corpus, requestID: requestID, done: done))
                if state.storing { return false }
                state.storing = true
                return true
            }
            if start { Task { await self.drain() } }
        }
        try result.get()
    }

    /// Stores batches until nothing waits.
    private func drain() async {
        while true {
            let batch: [Pending] = state.withLock { state in
                guard let corpus = state.waiting.first?.corpus else {
                    state.storing = false
                    return []
                }
                // One corpus per upsert (the first waiting one's); others wait for the next round.
                var taken: [Pending] = []
                var kept: [Pending] = []
                for pending in state.waiting {
                    if pending.corpus == corpus && taken.count < PlaybookQueue.maxBatch { taken.append(pending) } else { kept.append(pending) }
                }
                state.waiting = kept
                return taken
            }
            guard let first = batch.first else { return }
            let outcome: Result<Void, MatrixError>
            do {
                let body = try await ingest.upsertBody(batch.map(\.record), for: first.corpus, requestID: first.requestID)
                _ = try await ingest.calls.upsert(first.corpus, body: body, requestID: first.requestID)
                outcome = .success(())
            } catch let error as MatrixError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(MatrixError(.badGateway, "recording the playbook failed: \(error)"))
            }
            for pending in batch { pending.done.resume(returning: outcome) }
        }
    }
}
