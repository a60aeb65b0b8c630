import Foundation
import LakehouseKit

/// One journal event of a fill run, as journald answers `GET /v1/events` (seq, hash, id, ts,
/// daemon, type, trace_id, subject, payload), with the payload decoded by its type. A payload that
/// does not decode is kept as the reason, so the run is quarantined instead of lost.
public struct RunEvent: Sendable, Hashable {
    public var seq: Int
    public var ts: String
    public var type: String
    public var traceID: String
    public var payload: Payload

    public enum Payload: Sendable, Hashable {
        case requested(FillRequestedPayload)
        case retrieved(FillRetrievedPayload)
        case attempt(IterateAttempt)
        case iterateFinished
        case finished(FillFinishedPayload)
        case failed(FillFailedPayload)
        /// The payload of a fill-run type that does not have that type's shape.
        case undecodable(String)
        /// Not a fill-run event (any other type).
        case other
    }

    public init(seq: Int, ts: String, type: String, traceID: String, payload: Payload) {
        self.seq = seq
        self.ts = ts
        self.type = type
        self.traceID = traceID
        self.payload = payload
    }

    /// True for the event types of a fill run (`FillRunEventType`).
    public static func isRunType(_ type: String) -> Bool { type.hasPrefix("fill.") || type.hasPrefix("iterate.") }
}

extension RunEvent: Decodable {
    enum Keys: String, CodingKey { case seq, ts, type, trace_id, payload }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let type = try c.decode(String.self, forKey: .type)
        func decoded<T: Decodable>(_ kind: T.Type, _ wrap: (T) -> Payload) -> Payload {
            do {
                return wrap(try c.decode(T.self, forKey: .payload))
            } catch {
                return .undecodable("\(type) payload does not decode: \(RunEvent.describe(error))")
            }
        }
        let payload: Payload
        switch type {
        case FillRunEventType.requested: payload = decoded(FillRequestedPayload.self, Payload.requested)
        case FillRunEventType.retrieved: payload = decoded(FillRetrievedPayload.self, Payload.retrieved)
        case FillRunEventType.attempt: payload = decoded(IterateAttempt.self, Payload.attempt)
        case FillRunEventType.finished: payload = decoded(FillFinishedPayload.self, Payload.finished)
        case FillRunEventType.failed: payload = decoded(FillFailedPayload.self, Payload.failed)
        case FillRunEventType.iterateFinished: payload = .iterateFinished
        default: payload = .other
        }
        self.init(seq: try c.decode(Int.self, forKey: .seq), ts: try c.decode(String.self, forKey: .ts), type: type,
                  traceID: try c.decode(String.self, forKey: .trace_id), payload: payload)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? JSONValueDecoder.Failure { return error.description }
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ keys: [any CodingKey]) -> String { keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined() }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(path(context.codingPath + [key]))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "field '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// Where the materializer reads events from: journald's `GET /v1/events` in production, a list in tests.
public protocol RunEventSource: Sendable {
    /// Up to `limit` events with seq > `afterSeq`, ascending; empty at the end of the journal.
    func events(after afterSeq: Int, limit: Int) async throws(MaterializerError) -> [RunEvent]
    /// The journal's newest seq (its size), for progress; nil when the source cannot tell.
    func newestSeq() async -> Int?
}

extension RunEventSource {
    public func newestSeq() async -> Int? { nil }
}

/// journald over HTTP: `GET /v1/events?since_seq=<n>&limit=<k>`. Events at or below `afterSeq`
/// are dropped here, so an inclusive or exclusive `since_seq` both work.
public struct JournaldEventSource: RunEventSource {
    let peers: PeerClient
    let timeoutMs: Int

    public init(peers: PeerClient, timeoutMs: Int = 30_000) {
        self.peers = peers
        self.timeoutMs = timeoutMs
    }

    struct Page: Decodable { let events: [RunEvent] }

    /// `GET /v1/checkpoint`'s size; nil when journald does not answer (the pass then finds out).
    public func newestSeq() async -> Int? {
        guard let response = try? await peers.send(.journald, .GET, "/v1/checkpoint", timeoutMs: timeoutMs), response.status.code == 200 else {
            return nil
        }
        return JSONParsing.value(response.body)?["size"]?.numberValue.flatMap { Int(exactly: $0) }
    }

    public func events(after afterSeq: Int, limit: Int) async throws(MaterializerError) -> [RunEvent] {
        let response: HTTPClientResponse
        do {
            response = try await peers.send(.journald, .GET, "/v1/events?since_seq=\(afterSeq)&limit=\(limit)", timeoutMs: timeoutMs)
        } catch {
            throw MaterializerError(.journalUnavailable, "journald is unavailable: \(error)")
        }
        guard response.status.code == 200 else {
            throw MaterializerError(.journalUnavailable, "journald answered \(response.status.code) to GET /v1/events: \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        do {
            return try JSONValueDecoder.decode(Page.self, fromBytes: response.body).events.filter { $0.seq > afterSeq }
        } catch {
            throw MaterializerError(.journalUnavailable, "journald's GET /v1/events answer does not decode: \(RunEvent.describe(error))")
        }
    }
}

/// A fixed list of events (tests, and the bench's in-process mode).
public struct ListEventSource: RunEventSource {
    let all: [RunEvent]

    public init(_ events: [RunEvent]) { all = events.sorted { $0.seq < $1.seq } }

    public func events(after afterSeq: Int, limit: Int) async throws(MaterializerError) -> [RunEvent] {
        let start = all.firstIndex { $0.seq > afterSeq } ?? all.count
        return Array(all[start..<min(all.count, start + limit)])
    }

    public func newestSeq() async -> Int? { all.last?.seq ?? 0 }
}
