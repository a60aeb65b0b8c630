import Foundation
import LakehouseKit
import Synchronization

/// The journal once recovery has opened it; until then every journal route answers 503.
final class StoreHolder: Sendable {
    private let store = Mutex<JournalStore?>(nil)
    func set(_ value: JournalStore) { store.withLock { $0 = value } }
    var current: JournalStore? { store.withLock { $0 } }
    func get() throws(JournalError) -> JournalStore {
        guard let current else { throw .unavailable("journald is recovering its journal; retry shortly") }
        return current
    }
}

/// Handlers: decode → journal call → encode, with journald's errors mapped to statuses in one place.
struct EventRoutes: Sendable {
    let holder: StoreHolder
    let config: JournalConfig

    func append(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await EventRoutes.mapping {
            let store = try holder.get()
            let events = try EventBatch.decode(request.body, maxBatch: config.maxBatch, maxEventBytes: config.maxEventBytes)
            let acks = try await store.append(events)
            var writer = JSONWriter(capacity: 32 + acks.count * 140)
            writer.raw("{\"events\":[")
            for (i, ack) in acks.enumerated() {
                if i > 0 { writer.raw(",") }
                writer.raw("{\"duplicate\":")
                ack.duplicate ? writer.raw("true") : writer.raw("false")
                writer.raw(",\"hash\":")
                writer.string(ack.hash.hex)
                writer.raw(",\"id\":")
                writer.string(ack.id)
                writer.raw(",\"seq\":")
                writer.number(ack.seq)
                writer.raw("}")
            }
            writer.raw("]}")
            return .json(bytes: writer.bytes)
        }
    }

    func query(_ request: HTTPRequest) async throws -> HTTPResponse {
        try EventRoutes.mapping {
            let store = try holder.get()
            let parameters = request.queryParameters
            let known: Set<String> = ["trace_id", "type", "subject", "since_seq", "limit"]
            if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
                throw JournalError.invalid("unknown query parameter '\(unknown)'; expected: \(known.sorted().joined(separator: ", "))")
            }
            var query = JournalStore.Query()
            query.traceID = parameters["trace_id"]
            query.type = parameters["type"]
            query.subject = parameters["subject"]
            query.sinceSeq = try EventRoutes.integer(parameters, "since_seq", in: 0...Int(Int32.max)) ?? 0
            query.limit = try EventRoutes.integer(parameters, "limit", in: 1...config.maxQueryLimit) ?? min(100, config.maxQueryLimit)
            let (events, next) = try store.query(query)
            var out: [UInt8] = Array("{\"events\":[".utf8)
            for (i, event) in events.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: event)
            }
            out.append(contentsOf: "],\"next_since_seq\":\(next.map(String.init) ?? "null")}".utf8)
            return .json(bytes: out)
        }
    }

    func event(_ request: HTTPRequest) async throws -> HTTPResponse {
        try EventRoutes.mapping {
            let store = try holder.get()
            let text = try request.parameter("seq")
            guard let seq = Int(text), seq >= 1 else { throw JournalError.invalid("seq '\(text)' is not a positive integer") }
            guard seq <= store.checkpoint.size else { throw JournalError.notFound("no event with seq \(seq)") }
            return .json(bytes: try store.record(seq: seq) { JournalStore.storedJSON($0) })
        }
    }

    func checkpoint(_ request: HTTPRequest) async throws -> HTTPResponse {
        try EventRoutes.mapping {
            let checkpoint = try holder.get().checkpoint
            return .json(bytes: Array("{\"root\":\"\(checkpoint.root.hex)\",\"size\":\(checkpoint.size)}".utf8))
        }
    }

    func inclusion(_ request: HTTPRequest) async throws -> HTTPResponse {
        try EventRoutes.mapping {
            let store = try holder.get()
            let parameters = request.queryParameters
            guard let seq = try EventRoutes.integer(parameters, "seq", in: 1...Int(Int32.max)) else { throw JournalError.invalid("missing query parameter 'seq'") }
            let size = try EventRoutes.integer(parameters, "size", in: 1...Int(Int32.max))
            let proof = try store.inclusionProof(seq: seq, size: size)
            let path = proof.path.map { "\"\($0.hex)\"" }.joined(separator: ",")
            return .json(bytes: Array(("{\"index\":\(proof.seq - 1),\"leaf_hash\":\"\(proof.leaf.hex)\",\"proof\":[\(path)],"
                                       + "\"root\":\"\(proof.root.hex)\",\"seq\":\(proof.seq),\"size\":\(proof.size)}").utf8))
        }
    }

    func consistency(_ request: HTTPRequest) async throws -> HTTPResponse {
        try EventRoutes.mapping {
            let store = try holder.get()
            let parameters = request.queryParameters
            guard let from = try EventRoutes.integer(parameters, "from", in: 0...Int(Int32.max)) else { throw JournalError.invalid("missing query parameter 'from'") }
            let to = try EventRoutes.integer(parameters, "to", in: 0...Int(Int32.max))
            let proof = try store.consistencyProof(from: from, to: to)
            let path = proof.path.map { "\"\($0.hex)\"" }.joined(separator: ",")
            return .json(bytes: Array(("{\"from\":\(proof.from),\"from_root\":\"\(proof.fromRoot.hex)\",\"proof\":[\(path)],"
                                       + "\"to\":\(proof.to),\"to_root\":\"\(proof.toRoot.hex)\"}").utf8))
        }
    }

    func verify(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await EventRoutes.mapping {
            let store = try holder.get()
            // Reading and hashing the whole log: off Swift's cooperative threads.
            let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JournalStore.Verification, any Error>) in
                DispatchQueue.global().async { continuation.resume(with: Result { try store.verify() }) }
            }
            var json = "{\"ok\":\(result.broken == nil),\"root\":\"\(result.root.hex)\",\"seconds\":\(String(format: "%.3f", result.seconds)),"
                + "\"segments\":\(result.segments),\"size\":\(result.size)"
            if let b = result.broken {
                var writer = JSONWriter()
                writer.raw("{\"offset\":")
                writer.number(b.offset)
                writer.raw(",\"reason\":")
                writer.string(b.reason)
                writer.raw(",\"segment\":")
                writer.string(b.segment)
                writer.raw(",\"seq\":")
                writer.number(b.seq)
                writer.raw("}")
                json += ",\"broken\":" + String(decoding: writer.bytes, as: UTF8.self)
            }
            return .json(bytes: Array((json + "}").utf8))
        }
    }

    static func integer(_ parameters: [String: String], _ name: String, in range: ClosedRange<Int>) throws(JournalError) -> Int? {
        guard let text = parameters[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .invalid("query parameter \(name)=\(text): expected an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// The one place journald's domain errors become HTTP statuses (async and sync forms).
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as JournalError {
            throw apiError(error)
        }
    }

    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as JournalError {
            throw apiError(error)
        }
    }

    static func apiError(_ error: JournalError) -> APIError {
        switch error {
        case .invalid(let m): .badRequest(m)
        case .notFound(let m): .notFound(m)
        case .tooLarge(let m): .payloadTooLarge(m)
        case .unavailable(let m): .unavailable(m)
        case .storage(let m): .internal(m)
        }
    }
}
