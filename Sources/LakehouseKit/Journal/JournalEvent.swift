import Foundation

/// One event for journald (SPEC §6), as every daemon sends it:
/// `{"id"?,"ts","daemon","type","trace_id","subject"?,"payload"}`.
///
/// `id` makes delivery idempotent: journald acknowledges an `id` it already holds with its original
/// `seq` and never appends it twice (the journal client always sets one). `ts` is an RFC 3339 UTC
/// time; `payload` is any JSON object.
public struct JournalEvent: Codable, Sendable, Hashable {
    public var id: String?
    public var ts: String
    public var daemon: String
    public var type: String
    public var traceID: String
    public var subject: String?
    public var payload: [String: JSONValue]

    enum CodingKeys: String, CodingKey {
        case id, ts, daemon, type
        case traceID = "trace_id"
        case subject, payload
    }

    public init(id: String? = nil, ts: String = JournalEvent.timestamp(), daemon: String, type: String, traceID: String,
                subject: String? = nil, payload: [String: JSONValue] = [:]) {
        self.id = id
        self.ts = ts
        self.daemon = daemon
        self.type = type
        self.traceID = traceID
        self.subject = subject
        self.payload = payload
    }

    /// RFC 3339 UTC with milliseconds (`2026-11-21T12:00:00.123Z`). Digits written by hand: every
    /// recorded event takes one, and `String(format:)` was a visible share of a fill's CPU.
    public static func timestamp(_ date: Date = Date()) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        let millis = min(999, max(0, Int((date.timeIntervalSince1970 - Double(t)) * 1000)))
        var out = Array("0000-00-00T00:00:00.000Z".utf8)
        func put(_ value: Int, _ width: Int, at position: Int) {
            var value = value
            for i in stride(from: position + width - 1, through: position, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, 4, at: 0)
        put(Int(parts.tm_mon) + 1, 2, at: 5)
        put(Int(parts.tm_mday), 2, at: 8)
        put(Int(parts.tm_hour), 2, at: 11)
        put(Int(parts.tm_min), 2, at: 14)
        put(Int(parts.tm_sec), 2, at: 17)
        put(millis, 3, at: 20)
        return String(decoding: out, as: UTF8.self)
    }

    /// The event as JSON text (keys sorted; numbers as `JSONWriter` writes them, which journald
    /// always accepts: integers exactly, other doubles in their shortest round-trip form).
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.raw("{\"daemon\":")
        writer.string(daemon)
        if let id {
            writer.raw(",\"id\":")
            writer.string(id)
        }
        writer.raw(",\"payload\":")
        writer.object(payload)
        if let subject {
            writer.raw(",\"subject\":")
            writer.string(subject)
        }
        writer.raw(",\"trace_id\":")
        writer.string(traceID)
        writer.raw(",\"ts\":")
        writer.string(ts)
        writer.raw(",\"type\":")
        writer.string(type)
        writer.raw("}")
        return writer.bytes
    }
}

/// An event as journald stores and answers it: the event plus its place in the chain.
/// `hash` = SHA-256(previous event's hash ‖ RFC 8785 canonical JSON of the event), lowercase hex;
/// the first event's previous hash is 32 zero bytes.
public struct StoredJournalEvent: Codable, Sendable, Hashable {
    public var seq: Int
    public var hash: String
    public var id: String
    public var ts: String
    public var daemon: String
    public var type: String
    public var traceID: String
    public var subject: String?
    public var payload: [String: JSONValue]

    enum CodingKeys: String, CodingKey {
        case seq, hash, id, ts, daemon, type
        case traceID = "trace_id"
        case subject, payload
    }

    public var event: JournalEvent {
        JournalEvent(id: id, ts: ts, daemon: daemon, type: type, traceID: traceID, subject: subject, payload: payload)
    }
}

/// `POST /v1/events` body and answer.
public struct JournalAppendRequest: Codable, Sendable {
    public var events: [JournalEvent]
    public init(events: [JournalEvent]) { self.events = events }
}

public struct JournalAppendResponse: Codable, Sendable {
    public struct Acknowledgement: Codable, Sendable, Hashable {
        public var id: String
        public var seq: Int
        public var hash: String
        /// True when the id was already journaled (a retry): `seq` and `hash` are the original ones.
        public var duplicate: Bool
    }
    public var events: [Acknowledgement]
}
