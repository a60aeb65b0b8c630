import LakehouseKit

/// Where the iterate loop records each attempt and the end of a run (journald through the common
/// journal client once it is wired; a log line until then). Must never block or fail the loop.
public protocol AttemptJournal: Sendable {
    func record(type: String, traceID: String, subject: String?, payload: JSONValue)
}

/// Writes each event as one log line (type and trace id at info, the payload at debug).
public struct LoggingAttemptJournal: AttemptJournal {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func record(type: String, traceID: String, subject: String?, payload: JSONValue) {
        var fields: [(String, String)] = [("type", type), ("trace_id", traceID)]
        if let subject { fields.append(("subject", subject)) }
        for key in ["attempt", "valid", "attempts"] {
            if let value = payload[key] { fields.append((key, JSONCoding.string(value))) }
        }
        logger.info("journal event", fields)
        logger.debug("journal payload", [("trace_id", traceID), ("payload", JSONCoding.string(payload))])
    }
}
