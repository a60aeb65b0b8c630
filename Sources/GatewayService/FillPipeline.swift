import Foundation
import LakehouseKit

/// The main job (SPEC §6 gateway): understand the sentence → retrieve workers and same-role
/// playbooks → iterate (draft, validate, correct) → journal the run → answer. Knows nothing of
/// HTTP requests; it talks to its peers through `PeerClient` and to the journal through `record`.
struct FillPipeline: Sendable {
    let peers: PeerClient
    let config: GatewayConfig
    /// Records one journal event of the run (never blocks, never fails: the journal client spools).
    let record: @Sendable (_ type: String, _ traceID: String, _ payload: JSONValue) -> Void
    /// Returns once every event recorded so far is durable in the local spool.
    let sync: @Sendable () async -> Void
    let logger: Logger

    static let corpora = ["workers", "playbooks"]

    func run(_ command: FillCommand, requestID: String) async throws(APIError) -> FillAnswer {
        let started = MonotonicClock.nanoseconds()
        let runID = EventID.make()
        var timings: [String: Double] = [:]

        // 1. Understand: count, role, place, shift, day.
        var stageStart = MonotonicClock.nanoseconds()
        let understood: UnderstoodRequest = try await call("understand", runID) {
            try await peers.callJSON(.matrixd, .POST, "/v1/understand", body: ["text": command.query], requestID: requestID, idempotent: true)
        }
        timings["understand"] = Self.milliseconds(since: stageStart)
        guard let role = understood.role else {
            throw APIError(status: .unprocessableEntity, code: "unknown_role",
                           message: "could not tell which role the query asks for; name one, e.g. \(RoleVocabulary.names.prefix(4).joined(separator: ", "))")
        }
        let count = command.count ?? understood.count ?? 1
        guard (1...config.fillMaxCount).contains(count) else {
            throw APIError.badRequest("the query asks for \(count) workers; a fill takes 1…\(config.fillMaxCount)")
        }
        let request = FillRequestSpec(query: command.query, count: count, role: role, city: understood.city, state: understood.state,
                                      shift: understood.shift, day: understood.day)
        record(FillRunEventType.requested, runID, Self.payload(FillRequestedPayload(command: command, understood: understood, request: request)))

        // 2. Retrieve workers of that role in that state, and same-role playbooks. The filters apply
        // to both corpora, so only fields both carry are filtered on (a `status` filter would drop
        // every playbook); the drafter and the validators deal with inactive workers.
        stageStart = MonotonicClock.nanoseconds()
        var filters: [String: JSONValue] = ["role": .string(role)]
        if let state = request.state { filters["state"] = .string(state) }
        let k = min(1000, max(config.fillRetrieveK, 4 * count))
        let pool: RetrievedPool = try await call("retrieve", runID) {
            let query = RetrieveRequest(query: command.query, corpora: Self.corpora, k: k, queryRole: role, filters: filters,
                                        city: request.city, state: request.state)
            let answer = try await peers.callBytes(.matrixd, .POST, "/v1/retrieve", bytes: try JSONTree.encode(query), requestID: requestID, idempotent: true)
            if let pool = RetrievedPool.read(answer) { return pool }
            do throws(APIError) {
                return RetrievedPool(try JSONCoding.decode(RetrieveResponse.self, from: answer))
            } catch {
                throw PeerCallError.undecodable(.matrixd, error.message)
            }
        }
        timings["retrieve"] = Self.milliseconds(since: stageStart)
        let playbookWorkerIDs = pool.playbookWorkerIDs
        record(FillRunEventType.retrieved, runID,
               Self.payload(FillRetrievedPayload(role: pool.role, workers: pool.retrieved, playbookWorkerIDs: playbookWorkerIDs, gateDropped: pool.gateDropped)))

        // 3. Iterate: draft, validate, correct (validatord journals each attempt under this run id).
        stageStart = MonotonicClock.nanoseconds()
        let maxAttempts = command.maxAttempts ?? config.fillMaxAttempts
        let outcome: IterateResponse = try await call("iterate", runID) {
            // The candidates by id: validatord holds the roster and takes their records from it.
            let iterate = IterateRequest(request: request, candidates: [], candidateIDs: pool.workerIDs, playbookWorkerIDs: playbookWorkerIDs,
                                         provider: command.provider, maxAttempts: maxAttempts, runID: runID)
            return try await peers.callJSON(.validatord, .POST, "/v1/iterate", bytes: try JSONTree.encode(iterate), requestID: requestID)
        }
        timings["iterate"] = Self.milliseconds(since: stageStart)
        timings["total"] = Self.milliseconds(since: started)

        let finalViolations = outcome.attempts.last?.violations ?? []
        let stillBroken = Set(finalViolations.map(\.rule))
        var corrected: [String] = []
        for attempt in outcome.attempts.dropLast() {
            for violation in attempt.violations where violation.severity == .error && !stillBroken.contains(violation.rule) && !corrected.contains(violation.rule) {
                corrected.append(violation.rule)
            }
        }
        let answer = FillAnswer(runID: runID, request: request, fill: outcome.final?.fill, email: outcome.final?.email, valid: outcome.valid,
                                attempts: outcome.attempts, violations: finalViolations, corrected: corrected, timingsMs: timings)
        record(FillRunEventType.finished, runID,
               Self.payload(FillFinishedPayload(request: request, fill: answer.fill, email: answer.email, valid: answer.valid,
                                                attempts: outcome.attempts.count, maxAttempts: maxAttempts, violations: finalViolations,
                                                corrected: corrected, provider: outcome.attempts.last?.provider, timingsMs: timings)))
        await sync()
        if answer.valid, let fill = answer.fill {
            rememberPlaybook(PlaybookRecord(query: command.query, role: role, city: request.city, state: request.state,
                                            workerIDs: fill.candidates.map(\.workerID), runID: runID), requestID: requestID)
        }
        return answer
    }

    /// A valid fill becomes a playbook for later same-role retrieves. Off the answer's path: the
    /// coordinator does not wait for it, and a failure only costs a future boost (logged).
    private func rememberPlaybook(_ playbook: PlaybookRecord, requestID: String) {
        let peers = self.peers
        let logger = self.logger
        // On this request's event loop when there is one (no thread hop for the call).
        Task.detached(executorPreference: EventLoopGroup.shared.current) {
            do {
                let _: JSONValue = try await peers.callJSON(.matrixd, .POST, "/v1/playbooks", body: playbook, requestID: requestID)
            } catch {
                logger.warn("playbook not recorded", requestID: requestID, [("run_id", playbook.runID ?? ""), ("error", String(describing: error))])
            }
        }
    }

    /// Runs one stage's peer call; a failure is journaled as `fill.failed` and answered with the
    /// status that names the daemon at fault (503 down, 504 slow, 4xx the caller's input).
    private func call<T>(_ stage: String, _ runID: String, _ body: () async throws -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch {
            let failure = (error as? PeerCallError)?.apiError ?? APIError.internal("\(stage): \(error)")
            record(FillRunEventType.failed, runID, Self.payload(FillFailedPayload(stage: stage, status: failure.status.code, error: failure.message)))
            throw failure
        }
    }

    static func payload<T: Encodable>(_ value: T) -> JSONValue {
        JSONTree.value(value)
    }

    static func milliseconds(since start: UInt64) -> Double {
        (Double(MonotonicClock.nanoseconds() &- start) / 1_000).rounded() / 1_000
    }
}
