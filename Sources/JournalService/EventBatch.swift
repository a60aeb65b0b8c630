import Foundation
import LakehouseKit

/// One validated incoming event: its canonical bytes (what is hashed and stored) and the fields
/// the indexes need.
struct IncomingEvent: Sendable {
    let id: String
    let traceID: String
    let type: String
    let subject: String?
    let canonical: [UInt8]
    let leafHash: SHA256Digest
}

/// `POST /v1/events {"events":[…]}` decoded and validated: every event an object with exactly the
/// fields of the wire type (`id`?, `ts`, `daemon`, `type`, `trace_id`, `subject`?, `payload`), and
/// canonicalized (RFC 8785). An event without `id` gets a fresh UUID, part of what is hashed.
enum EventBatch {
    static let required = ["ts", "daemon", "type", "trace_id", "payload"]
    static let allowed: Set<String> = ["id", "ts", "daemon", "type", "trace_id", "subject", "payload"]
    static let maxFieldBytes = 512

    static func decode(_ body: [UInt8], maxBatch: Int, maxEventBytes: Int) throws(JournalError) -> [IncomingEvent] {
        guard !body.isEmpty else { throw .invalid("request body is empty; expected {\"events\":[…]}") }
        let document: CanonicalValue
        do {
            document = try CanonicalJSON.parse(body)
        } catch {
            throw .invalid(error.description)
        }
        guard case .object(let top) = document else { throw .invalid("body: expected an object {\"events\":[…]}") }
        if let unknown = top.first(where: { $0.0 != "events" }) { throw .invalid("unknown field '\(unknown.0)'; expected: events") }
        guard let eventsValue = top.first(where: { $0.0 == "events" })?.1 else { throw .invalid("missing field 'events'") }
        guard case .array(let items) = eventsValue else { throw .invalid("field 'events': expected an array") }
        guard !items.isEmpty else { throw .invalid("field 'events': the batch is empty") }
        guard items.count <= maxBatch else { throw .tooLarge("\(items.count) events in one batch; the limit is \(maxBatch) (JOURNALD_MAX_BATCH)") }
        var events: [IncomingEvent] = []
        events.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            events.append(try event(item, path: "events[\(index)]", maxEventBytes: maxEventBytes))
        }
        return events
    }

    static func event(_ value: CanonicalValue, path: String, maxEventBytes: Int) throws(JournalError) -> IncomingEvent {
        guard case .object(var members) = value else { throw .invalid("\(path): expected an object") }
        if let unknown = members.first(where: { !allowed.contains($0.0) }) {
            throw .invalid("\(path): unknown field '\(unknown.0)'; expected: \(allowed.sorted().joined(separator: ", "))")
        }
        var fields: [String: CanonicalValue] = [:]
        for (key, value) in members { fields[key] = value }
        for name in required where fields[name] == nil { throw .invalid("\(path): missing field '\(name)'") }

        func text(_ name: String, optional: Bool = false) throws(JournalError) -> String? {
            guard let value = fields[name] else { return nil }
            guard case .string(let s) = value else { throw .invalid("\(path).\(name): expected a string") }
            guard !s.isEmpty else { throw .invalid("\(path).\(name): must not be empty") }
            guard s.utf8.count <= maxFieldBytes else { throw .invalid("\(path).\(name): longer than \(maxFieldBytes) bytes") }
            return s
        }
        let ts = try text("ts")!
        guard RFC3339.isValid(ts) else { throw .invalid("\(path).ts: '\(ts)' is not an RFC 3339 date-time (e.g. 2026-11-21T12:00:00.000Z)") }
        _ = try text("daemon")
        let type = try text("type")!
        let traceID = try text("trace_id")!
        let subject = try text("subject")
        guard case .object = fields["payload"]! else { throw .invalid("\(path).payload: expected an object") }
        let id: String
        if let given = try text("id") {
            id = given
        } else {
            id = UUID().uuidString.lowercased()
            members.append(("id", .string(id)))
        }
        let canonical = CanonicalJSON.serialize(.object(members))
        guard canonical.count <= maxEventBytes else {
            throw .tooLarge("\(path): \(canonical.count) bytes of canonical JSON; the limit is \(maxEventBytes) (JOURNALD_MAX_EVENT_BYTES)")
        }
        return IncomingEvent(id: id, traceID: traceID, type: type, subject: subject, canonical: canonical,
                             leafHash: MerkleTree.leafHash(canonical))
    }
}
